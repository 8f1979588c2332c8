using Confluent.Kafka;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// The partitions the follower consumer reads by assignment, each following a group partition: it
/// is assigned (from its own committed offset) when its lead is, and released before its lead leaves.
/// </summary>
internal sealed class FollowerPartitions(IConsumer<byte[]?, byte[]?> follower)
{
    private readonly Dictionary<TopicPartition, List<OwnedPartition>> _byLead = [];

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

        follower.IncrementalAssign(partitions.Select(p => new TopicPartitionOffset(p.Follower.Partition, Offset.Stored)));
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
