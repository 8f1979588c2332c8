using System.Collections.Concurrent;
using Confluent.Kafka;
using InviteStream.Core.State;

namespace InviteStream.Kafka.State;

/// <summary>
/// The contact state of every partition this instance owns, one store per partition: state is
/// partition-local because the changelog is co-partitioned with the input, so it moves with its
/// partition on a rebalance.
/// </summary>
public sealed class PartitionStates
{
    private readonly ConcurrentDictionary<TopicPartition, ContactStateStore> _stores = new();

    /// <summary>Each owned partition with its store.</summary>
    public IReadOnlyCollection<KeyValuePair<TopicPartition, ContactStateStore>> Owned => [.. _stores];

    internal void Add(TopicPartition partition, ContactStateStore store) => _stores[partition] = store;

    internal void Remove(TopicPartition partition) => _stores.TryRemove(partition, out _);
}
