using Confluent.Kafka;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// The work a <see cref="PartitionedConsumerLoop"/> drives: what happens to the partitions the group
/// assigns and takes away. Called on the poll thread; <see cref="Open"/> must not block (state
/// restores in the background while the partition's sink refuses records, which pauses it).
/// </summary>
internal interface IPartitionStage
{
    /// <summary>
    /// Starts work on partitions the group assigned. Returns every partition to read for them: the
    /// assigned ones, and co-partitioned ones read by assignment (e.g. re-keyed records of the same partition number).
    /// </summary>
    IReadOnlyList<PartitionRoute> Open(IReadOnlyCollection<TopicPartition> assigned);

    /// <summary>
    /// Ends work on partitions leaving this instance (group partitions, as given to <see cref="Open"/>):
    /// gracefully lets in-flight work finish within the drain timeout, otherwise abandons it. The
    /// loop keeps reading the follower partitions until it completes (work may wait for their
    /// records), then commits what was finished.
    /// </summary>
    Task CloseAsync(IReadOnlyCollection<TopicPartition> leaving, bool graceful);

    /// <summary>These offsets are committed: what was read before them will not be read again.</summary>
    void Committed(IReadOnlyList<TopicPartitionOffset> offsets);
}
