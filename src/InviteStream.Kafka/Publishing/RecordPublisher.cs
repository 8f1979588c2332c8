using System.Globalization;
using System.Text;
using Confluent.Kafka;
using InviteStream.Core.Outcomes;
using InviteStream.Kafka.Pipeline;
using InviteStream.Kafka.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.Publishing;

/// <summary>
/// Publishes outcome and dead-letter records and returns only once the broker acknowledged them:
/// the caller may then let the source offset be committed. An idempotent producer, so retries
/// inside librdkafka never duplicate a record.
/// </summary>
internal sealed partial class RecordPublisher : IDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);
    private readonly IProducer<string?, byte[]> _producer;
    private readonly KafkaOptions _options;
    private readonly PipelineStatistics _statistics;
    private readonly IRecordFormat _format;
    private readonly TimeProvider _time;
    private readonly ILogger<RecordPublisher> _logger;

    public RecordPublisher(
        IOptions<KafkaOptions> options, IRecordFormat format, PipelineStatistics statistics, TimeProvider time, ILogger<RecordPublisher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _statistics = statistics;
        _format = format;
        _time = time;
        _logger = logger;
        _producer = new ProducerBuilder<string?, byte[]>(KafkaClientConfig.Producer(_options, "invitestream-publisher")).Build();
    }

    public async Task PublishOutcomeAsync(InviteOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var message = new Message<string?, byte[]> { Key = outcome.ContactId, Value = await SerializeAsync(outcome, cancellationToken) };
        await ProduceUntilAcknowledgedAsync(_options.OutcomeTopic, message, cancellationToken);
        _statistics.OutcomePublished(outcome);
    }

    public async Task PublishDeadLetterAsync(ConsumeResult<string?, byte[]> source, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var headers = new Headers
        {
            { "x-error-reason", Encoding.UTF8.GetBytes(reason) },
            { "x-source-topic", Encoding.UTF8.GetBytes(source.Topic) },
            { "x-source-partition", Encoding.UTF8.GetBytes(source.Partition.Value.ToString(CultureInfo.InvariantCulture)) },
            { "x-source-offset", Encoding.UTF8.GetBytes(source.Offset.Value.ToString(CultureInfo.InvariantCulture)) },
        };
        var message = new Message<string?, byte[]> { Key = source.Message.Key, Value = source.Message.Value, Headers = headers };
        await ProduceUntilAcknowledgedAsync(_options.DeadLetterTopic, message, cancellationToken);
        _statistics.DeadLetterPublished(reason);
        LogDeadLettered(reason, source.Topic, source.Partition.Value, source.Offset.Value);
    }

    /// <summary>Produces to one explicit partition (co-partitioned topics) and waits for the acknowledgement.</summary>
    public async Task PublishToPartitionAsync(TopicPartition partition, string key, byte[]? value, CancellationToken cancellationToken)
    {
        var message = new Message<string?, byte[]> { Key = key, Value = value! };
        while (true)
        {
            try
            {
                await _producer.ProduceAsync(partition, message, cancellationToken);
                return;
            }
            catch (ProduceException<string?, byte[]> ex) when (!ex.Error.IsFatal)
            {
                LogProduceFailed(partition.Topic, ex.Error.Reason);
                await Task.Delay(RetryDelay, _time, cancellationToken);
            }
        }
    }

    public void Dispose() => _producer.Dispose();

    private async Task<byte[]> SerializeAsync(InviteOutcome outcome, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await _format.WriteOutcomeAsync(_options.OutcomeTopic, outcome);
            }
            catch (Exception ex) when (ex is HttpRequestException or Confluent.SchemaRegistry.SchemaRegistryException && !cancellationToken.IsCancellationRequested)
            {
                // Registry down or the schema refused: the outcome waits rather than being dropped.
                LogSerializationFailed(_options.OutcomeTopic, ex.Message);
                await Task.Delay(RetryDelay, _time, cancellationToken);
            }
        }
    }

    // librdkafka already retries transient errors until message.timeout.ms; a failure that comes
    // back is retried here until shutdown, because giving up would lose the event.
    private async Task ProduceUntilAcknowledgedAsync(string topic, Message<string?, byte[]> message, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await _producer.ProduceAsync(topic, message, cancellationToken);
                return;
            }
            catch (ProduceException<string?, byte[]> ex) when (!ex.Error.IsFatal)
            {
                LogProduceFailed(topic, ex.Error.Reason);
                await Task.Delay(RetryDelay, _time, cancellationToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Record sent to the dead-letter topic: {Reason} ({Topic}/{Partition}@{Offset})")]
    private partial void LogDeadLettered(string reason, string topic, int partition, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Serializing an outcome for {Topic} failed ({Reason}); retrying")]
    private partial void LogSerializationFailed(string topic, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Producing to {Topic} failed ({Reason}); retrying")]
    private partial void LogProduceFailed(string topic, string reason);
}
