using System.Text;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using InviteStream.Core.Stats;
using InviteStream.Kafka.Clients;
using InviteStream.Kafka.Serialization;

namespace InviteStream.Kafka.Stats;

/// <summary>
/// Reads the stats topic to its end without a consumer group and keeps each window's latest record
/// (the topic is compacted: the latest is the total): what <c>report</c> draws from.
/// </summary>
public static class StatsTopicReader
{
    /// <summary>The totals of the windows starting in [<paramref name="from"/>, <paramref name="to"/>), and how many windows' latest records could not be read.</summary>
    /// <exception cref="InvalidOperationException">The topic does not exist.</exception>
    /// <exception cref="KafkaException">The cluster could not be asked.</exception>
    public static (Dictionary<StatsWindowKey, WindowCounts> Windows, int Unreadable) Read(
        KafkaOptions kafka, SerializationOptions serialization, DateTimeOffset from, DateTimeOffset to, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(serialization);
        var topic = kafka.StatsTopic;
        using var format = new StandaloneRecordFormat(serialization);
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(KafkaClientConfig.RangeReader(kafka)).Build();
        var partitions = TopicPartitions.Of(kafka, topic, timeout);
        var remaining = partitions.Where(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), timeout).High.Value > 0).ToHashSet();
        consumer.Assign(remaining.Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var latest = new Dictionary<string, byte[]?>(StringComparer.Ordinal);
        while (remaining.Count > 0)
        {
            var record = consumer.Consume(timeout) ?? throw new TimeoutException($"{topic} stopped answering before the end of its partitions");
            if (record.IsPartitionEOF)
            {
                remaining.Remove(record.Partition.Value);
            }
            else if (record.Message.Key is { } key)
            {
                latest[Encoding.UTF8.GetString(key)] = record.Message.Value;
            }
        }

        var windows = new Dictionary<StatsWindowKey, WindowCounts>();
        var unreadable = 0;
        foreach (var value in latest.Values)
        {
            if (value is null)
            {
                continue;
            }

            if (format.Format.ReadStatsAsync(topic, value).AsTask().GetAwaiter().GetResult() is not { } stats)
            {
                unreadable++;
            }
            else if (stats.Window.Minute >= from && stats.Window.Minute < to)
            {
                windows[stats.Window] = stats.Counts;
            }
        }

        return (windows, unreadable);
    }
}
