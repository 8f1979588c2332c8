using Confluent.Kafka;
using InviteStream.Core.Campaigns;
using InviteStream.Core.Decisions;
using InviteStream.Kafka.Publishing;
using InviteStream.Kafka.Serialization;
using InviteStream.Kafka.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// Opens a newly assigned partition: restores its contact state from the changelog, then starts the
/// worker that decides its events; no event of the partition is decided before the restore ends.
/// </summary>
internal sealed class PartitionWorkerFactory(
    ContactStateChangelog changelog,
    PartitionStates states,
    CampaignSet campaigns,
    EventProcessor processor,
    InviteDecider decider,
    RecordPublisher publisher,
    EventRecordReader reader,
    PipelineStatistics statistics,
    IOptions<PipelineOptions> options,
    TimeProvider time,
    ILoggerFactory loggers)
{
    public PartitionWorker Open(TopicPartition partition, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var state = changelog.Restore(partition.Partition.Value, campaigns.LongestCooldown, cancellationToken);
        statistics.Restored(time.GetElapsedTime(started).TotalMilliseconds);
        states.Add(partition, state);
        return new PartitionWorker(
            partition, state, processor, publisher, reader, statistics, options.Value, time, loggers.CreateLogger<PartitionWorker>(), decider.Knows);
    }

    /// <summary>The partition left this instance: its state goes with it.</summary>
    public void Closed(TopicPartition partition) => states.Remove(partition);
}
