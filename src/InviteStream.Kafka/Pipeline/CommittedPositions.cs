using System.Collections.Concurrent;
using Confluent.Kafka;
using InviteStream.Core.Events;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// The last committed offset of each partition a stage has read, kept across commits. An outcome
/// settled from a dispatch result answers two records — the result and the event that decided the
/// invite — and they are committed apart: by the follower and the group consumer, or with the event
/// held back behind an earlier record of its partition for long after its result.
/// </summary>
/// <remarks>
/// Committed offsets only move forward, so the entry a partition left behind when it moved to
/// another worker is still a lower bound when it comes back.
/// </remarks>
internal sealed class CommittedPositions
{
    private readonly ConcurrentDictionary<(string Topic, int Partition), long> _next = new();

    /// <summary>Offsets just committed: the next offset to read of each partition.</summary>
    public void Add(IEnumerable<TopicPartitionOffset> committed)
    {
        foreach (var position in committed)
        {
            var offset = position.Offset.Value;
            _next.AddOrUpdate((position.Topic, position.Partition.Value), offset, (_, before) => Math.Max(before, offset));
        }
    }

    /// <summary>Whether the record at <paramref name="record"/> is committed: a restart does not read it again.</summary>
    public bool Covers(EventOrigin record) =>
        _next.TryGetValue((record.Topic, record.Partition), out var next) && record.Offset < next;
}
