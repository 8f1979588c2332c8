using Confluent.Kafka;

namespace InviteStream.Kafka.Pipeline;

/// <summary>The partitions a loop reads, by topic partition, and which of them are paused.</summary>
internal sealed class OwnedPartitions
{
    private readonly Dictionary<TopicPartition, OwnedPartition> _owned = [];
    private readonly HashSet<OwnedPartition> _paused = [];

    public IReadOnlyCollection<OwnedPartition> All => _owned.Values;

    public OwnedPartition this[TopicPartition partition] => _owned[partition];

    public bool Contains(TopicPartition partition) => _owned.ContainsKey(partition);

    public void Add(OwnedPartition partition) => _owned[partition.Partition] = partition;

    /// <summary>The partitions <paramref name="consumer"/> reads.</summary>
    public List<TopicPartition> ReadBy(IConsumer<byte[]?, byte[]?> consumer) => [.. _owned.Values.Where(o => o.Consumer == consumer).Select(o => o.Partition)];

    public void Hand(ConsumeResult<byte[]?, byte[]?> record)
    {
        // A record of a partition that left between fetch and delivery is its next owner's to read.
        if (_owned.TryGetValue(record.TopicPartition, out var owned) && !owned.Offer(record))
        {
            _paused.Add(owned);
        }
    }

    /// <summary>Resumes the paused partitions whose sinks have room again.</summary>
    public void Resume()
    {
        if (_paused.Count == 0)
        {
            return;
        }

        foreach (var owned in _paused.ToList())
        {
            if (owned.ResumeWhenDrained())
            {
                _paused.Remove(owned);
            }
        }
    }

    public void Forget(OwnedPartition partition)
    {
        partition.Release();
        _paused.Remove(partition);
        _owned.Remove(partition.Partition);
    }
}
