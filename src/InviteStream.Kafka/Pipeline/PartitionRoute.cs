using Confluent.Kafka;

namespace InviteStream.Kafka.Pipeline;

/// <summary>A topic partition the loop reads and where its records go.</summary>
/// <param name="ByAssignment">Read by the loop's follower consumer (assigned by the worker, not by the group).</param>
internal readonly record struct PartitionRoute(TopicPartition Partition, IRecordSink Sink, bool ByAssignment);
