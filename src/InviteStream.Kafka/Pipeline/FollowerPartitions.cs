using Confluent.Kafka;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// The partitions the follower consumer reads by assignment, each following a group partition: it
/// is assigned (from its own committed offset) when its lead is, and released before its lead leaves.
/// </summary>
internal sealed class FollowerPartitions(IConsumer<byte[]?, byte[]?> follower)
{
    private static readonly TimeSpan LocateTimeout = TimeSpan.FromSeconds(2);

    private readonly Dictionary<TopicPartition, List<OwnedPartition>> _byLead = [];
    private readonly HashSet<string> _located = new(StringComparer.Ordinal);

    public bool Any => _byLead.Count > 0;

    public void Follow(IReadOnlyList<(TopicPartition Lead, OwnedPartition Follower)> partitions)
    {
        if (partitions.Count == 0)
        {
            return;
        }

        foreach (var (lead, owned) in partitions)
        {
            (_byLead.TryGetValue(lead, out var list) ? list : _byLead[lead] = []).Add(owned);
        }

        Locate(partitions.Select(p => p.Follower.Partition));
        follower.IncrementalAssign(partitions.Select(p => new TopicPartitionOffset(p.Follower.Partition, Offset.Stored)));
    }

    // A consumer that only assigns learns a topic's partition leaders at its periodic metadata scan
    // (every second), and a partition without a committed offset, waiting for a leader to ask where
    // to start, asks again every 500 ms: the first results after a start were read 1-1.5 s late.
    // Asking for one partition's watermarks fetches the topic's metadata at once; if that fails,
    // the assignment finds the leaders later, as it would have.
    private void Locate(IEnumerable<TopicPartition> partitions)
    {
        foreach (var partition in partitions.Where(p => !_located.Contains(p.Topic)).DistinctBy(p => p.Topic).ToList())
        {
            try
            {
                follower.QueryWatermarkOffsets(partition, LocateTimeout);
                _located.Add(partition.Topic);
            }
            catch (KafkaException)
            {
                // Found later by the metadata scan.
            }
        }
    }

    /// <summary>Stops reading the followers of <paramref name="leads"/> and returns them.</summary>
    public List<OwnedPartition> Release(IEnumerable<TopicPartition> leads)
    {
        var released = new List<OwnedPartition>();
        foreach (var lead in leads)
        {
            if (_byLead.Remove(lead, out var followers))
            {
                released.AddRange(followers);
            }
        }

        if (released.Count > 0)
        {
            follower.IncrementalUnassign(released.Select(f => f.Partition));
        }

        return released;
    }
}
