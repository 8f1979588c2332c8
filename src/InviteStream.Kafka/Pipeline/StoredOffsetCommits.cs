using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// At-least-once commits: each partition's committable offset (past a contiguous prefix of done
/// events) is stored for the consumer's auto-commit at most every 100 ms, and committed directly
/// when the partition leaves or the worker stops.
/// </summary>
internal sealed partial class StoredOffsetCommits(TimeProvider time, ILogger<StoredOffsetCommits> logger) : ICommitPolicy
{
    private static readonly TimeSpan StoreInterval = TimeSpan.FromMilliseconds(100);
    private readonly Dictionary<TopicPartition, long> _stored = [];
    private long _lastStoredAt;

    public bool IsTransactional => false;

    // Stored offsets are committed by librdkafka's auto-commit, which reports them to the loop itself.
    public CommitResult Tick(IReadOnlyCollection<OwnedPartition> owned, CancellationToken cancellationToken)
    {
        if (time.GetElapsedTime(_lastStoredAt) < StoreInterval)
        {
            return CommitResult.Nothing;
        }

        _lastStoredAt = time.GetTimestamp();
        foreach (var partition in owned)
        {
            var committable = partition.Offsets.Committable;
            if (committable > _stored.GetValueOrDefault(partition.Partition, -1))
            {
                try
                {
                    partition.Consumer.StoreOffset(new TopicPartitionOffset(partition.Partition, committable));
                    _stored[partition.Partition] = committable;
                }
                catch (KafkaException)
                {
                    // Revoked meanwhile: the revocation commits its final offset.
                }
            }
        }

        return CommitResult.Nothing;
    }

    public CommitResult CommitLeaving(IReadOnlyCollection<OwnedPartition> leaving, IReadOnlyCollection<OwnedPartition> owned)
    {
        var committed = new List<TopicPartitionOffset>();
        foreach (var byConsumer in leaving.Where(p => p.Offsets.Committable >= 0).GroupBy(p => p.Consumer))
        {
            List<TopicPartitionOffset> offsets = [.. byConsumer.Select(p => new TopicPartitionOffset(p.Partition, p.Offsets.Committable))];
            try
            {
                byConsumer.Key.Commit(offsets);
                committed.AddRange(offsets);
            }
            catch (KafkaException ex)
            {
                // The next owner re-reads from the last successful commit: at-least-once, nothing lost.
                LogCommitFailed(ex.Error.Reason);
            }
        }

        return new CommitResult(false, committed);
    }

    public void AbortOpen()
    {
        // Nothing is held back: every record was acknowledged before its offset was stored.
    }

    public void Forget(OwnedPartition partition) => _stored.Remove(partition.Partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Offset commit failed: {Reason}")]
    private partial void LogCommitFailed(string reason);
}
