using System.Text;
using Confluent.Kafka;
using InviteStream.Core.Stats;
using InviteStream.Kafka.Pipeline;
using InviteStream.Kafka.Publishing;
using InviteStream.Kafka.Serialization;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.Stats;

/// <summary>
/// Sends this replica's counts since the last flush to the partial-counts topic, one record per
/// campaign and minute, keyed like the stats topic and partitioned by that key: every replica's
/// partials of one window meet in one partition, whose owner adds them up.
/// </summary>
internal sealed class StatsPartialWriter(RecordPublisher publisher, ContactPartitioner partitioner, TopicLayout layout, IOptions<KafkaOptions> kafka, TimeProvider time)
{
    public Task WriteAsync(IReadOnlyDictionary<StatsWindowKey, WindowCounts> windows, CancellationToken cancellationToken)
    {
        var topic = kafka.Value.EffectiveStatsPartialTopic;
        var now = time.GetUtcNow();
        return Task.WhenAll(windows.Select(window =>
        {
            var key = Encoding.UTF8.GetBytes(window.Key.ToString());
            var message = new Message<byte[]?, byte[]?> { Key = key, Value = StatsJson.Write(new StatsRecord(window.Key, window.Value, 0, now)) };
            return publisher.ProduceAsync(new TopicPartition(topic, PartitionOf(key)), message, cancellationToken);
        }));
    }

    // The partition of a window's partials, and so of its total on the stats topic.
    private int PartitionOf(byte[] key) => partitioner.HomeOf(key, layout.InputPartitions);
}
