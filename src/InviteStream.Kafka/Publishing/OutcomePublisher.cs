using System.Text;
using Confluent.Kafka;
using InviteStream.Core.Invites;
using InviteStream.Core.Outcomes;
using InviteStream.Core.Stats;
using InviteStream.Kafka.Pipeline;
using InviteStream.Kafka.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.Publishing;

/// <summary>
/// The invite flow's outcome sink: writes the outcome in the configured format to the outcome topic,
/// keyed by contactId, with the event's trace context in its headers. It goes to the contact's home
/// partition, the partition number its events are decided in, so stream processors (Kafka Streams,
/// ksqlDB, Flink) can join outcomes with the input by key without re-partitioning.
/// </summary>
internal sealed partial class OutcomePublisher(
    RecordPublisher publisher,
    IRecordFormat format,
    IOptions<KafkaOptions> kafka,
    IOptions<PipelineOptions> pipeline,
    PipelineStatistics statistics,
    ContactPartitioner partitioner,
    StatsAccumulator stats,
    TopicLayout layout,
    TimeProvider time,
    ILogger<OutcomePublisher> logger) : IOutcomeSink
{
    private static readonly TimeSpan RegistryRetryDelay = TimeSpan.FromMilliseconds(500);

    public async Task PublishAsync(InviteOutcome outcome, CancellationToken cancellationToken) =>
        await await HandOverAsync(outcome, cancellationToken);

    public async ValueTask<Task> HandOverAsync(InviteOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var topic = kafka.Value.OutcomeTopic;
        var key = Encoding.UTF8.GetBytes(outcome.ContactId);
        var message = new Message<byte[]?, byte[]?>
        {
            Key = key,
            Value = await SerializeAsync(topic, outcome, cancellationToken),
            Headers = PipelineTracing.CurrentContext(),
        };

        PipelineTracing.Annotate(outcome);
        return CountedAsync(outcome, await publisher.EnqueueAsync(new TopicPartition(topic, HomePartition(key)), message, cancellationToken));
    }

    private async Task CountedAsync(InviteOutcome outcome, Task written)
    {
        await written;
        statistics.OutcomePublished(outcome);
        if (kafka.Value.PublishesStats)
        {
            stats.Count(outcome);
        }

        if (logger.IsEnabled(LogLevel.Debug))
        {
            var contact = ContactPseudonym.Of(outcome.ContactId, pipeline.Value.LogPlainContactIds);
            LogOutcome(outcome.Status, outcome.CampaignId, contact, outcome.RequestId);
        }
    }

    // The start-up topic check has made the outcome topic's partition count the input's.
    private Partition HomePartition(byte[] key) => new(partitioner.HomeOf(key, layout.InputPartitions));

    private async Task<byte[]> SerializeAsync(string topic, InviteOutcome outcome, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await format.WriteOutcomeAsync(topic, outcome);
            }
            catch (Exception ex) when (EventRecordReader.IsRegistryUnavailable(ex) && !cancellationToken.IsCancellationRequested)
            {
                // Registry down or the schema refused: the outcome waits rather than being dropped.
                LogSerializationFailed(topic, ex.Message);
                await Task.Delay(RegistryRetryDelay, time, cancellationToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Outcome {Status} for campaign {CampaignId}, contact {Contact} ({RequestId})")]
    private partial void LogOutcome(OutcomeStatus status, string? campaignId, string contact, string requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Serializing an outcome for {Topic} failed ({Reason}); retrying")]
    private partial void LogSerializationFailed(string topic, string reason);
}
