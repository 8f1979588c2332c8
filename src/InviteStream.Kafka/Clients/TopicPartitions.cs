using Confluent.Kafka;

namespace InviteStream.Kafka.Clients;

/// <summary>A topic's partition numbers, asked of the cluster by commands that read a topic by assignment.</summary>
internal static class TopicPartitions
{
    /// <summary>In order; throws when the topic does not exist or its metadata cannot be read.</summary>
    public static List<int> Of(KafkaOptions kafka, string topic, TimeSpan timeout)
    {
        using var admin = new AdminClientBuilder(KafkaClientConfig.Admin(kafka)).Build();
        return admin.GetMetadata(topic, timeout).Topics.SingleOrDefault(t => t.Topic == topic) is { Error.IsError: false, Partitions.Count: > 0 } found
            ? [.. found.Partitions.Select(p => p.PartitionId).Order()]
            : throw new InvalidOperationException($"Topic {topic} does not exist (or its metadata could not be read).");
    }
}
