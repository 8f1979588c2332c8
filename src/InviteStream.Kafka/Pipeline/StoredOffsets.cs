using Confluent.Kafka;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// The offsets handed to the consumer for auto-commit, per partition. Stored from the poll thread,
/// at most every 100 ms and only when they moved: one call per batch of completions instead of one
/// per event.
/// </summary>
internal sealed class StoredOffsets
{
    private const long IntervalMs = 100;
    private readonly Dictionary<TopicPartition, long> _stored = [];
    private long _lastStoredAt;

    /// <summary>The offset last stored (or committed in a transaction) for the partition; -1 if none.</summary>
    public long Of(TopicPartition partition) => _stored.GetValueOrDefault(partition, -1);

    public void Record(TopicPartition partition, long offset) => _stored[partition] = offset;

    public void Forget(TopicPartition partition) => _stored.Remove(partition);

    public void StorePeriodically(IConsumer<string?, byte[]> consumer, IEnumerable<KeyValuePair<TopicPartition, PartitionOffsets>> partitions)
    {
        var now = Environment.TickCount64;
        if (now - _lastStoredAt < IntervalMs)
        {
            return;
        }

        _lastStoredAt = now;
        foreach (var (partition, offsets) in partitions)
        {
            var committable = offsets.Committable;
            if (committable > Of(partition))
            {
                try
                {
                    consumer.StoreOffset(new TopicPartitionOffset(partition, committable));
                    _stored[partition] = committable;
                }
                catch (KafkaException)
                {
                    // Revoked meanwhile: the revocation commits its final offset.
                }
            }
        }
    }
}
