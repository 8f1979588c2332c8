using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using InviteStream.Kafka.Clients;
using InviteStream.Kafka.Embedded;
using InviteStream.Kafka.Pipeline;

namespace InviteStream.Kafka.Tests.Pipeline;

[TestFixture]
public sealed class FollowerPartitionsTests
{
    [Test]
    public async Task Topics_new_to_the_follower_have_their_leaders_known_when_their_partitions_are_assigned()
    {
        // As the worker follows its input on a cluster of several brokers: the repartition and result topics at once.
        using var cluster = EmbeddedKafkaCluster.Start(brokerCount: 3);
        var lead = "follow-lead";
        string[] followed = ["follow-repartition", "follow-results"];
        foreach (var topic in followed.Append(lead))
        {
            cluster.CreateTopic(topic, 12);
        }

        using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build())
        {
            foreach (var topic in followed)
            {
                await producer.ProduceAsync(new TopicPartition(topic, 1), new Message<byte[], byte[]> { Key = "k"u8.ToArray(), Value = Encoding.UTF8.GetBytes(topic) });
            }
        }

        var config = KafkaClientConfig.FollowerConsumer(new KafkaOptions { BootstrapServers = cluster.BootstrapServers, GroupId = $"group-{Guid.NewGuid():N}" });

        // librdkafka's account of each partition. A partition assigned before its leader is known asks
        // where to start every 500 ms, and the leaders of a topic it was never asked about come with
        // its metadata scan, once a second: the worker's first results were read 1-1.5 s late.
        config.Debug = "topic";
        var logged = new ConcurrentQueue<string>();
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).SetLogHandler((_, message) => logged.Enqueue(message.Message)).Build();

        new FollowerPartitions(consumer).Follow(
            [.. followed.Select(topic => (new TopicPartition(lead, 1), new OwnedPartition(new TopicPartition(topic, 1), consumer, new NoSink())))]);
        var read = ConsumeAll(consumer, followed.Length);

        Assert.That(read, Is.EquivalentTo(followed));
        var lines = logged.ToList();
        foreach (var topic in followed)
        {
            var leader = lines.FindIndex(m => m.Contains($"Topic {topic} [1] Leader", StringComparison.Ordinal));
            var assigned = lines.FindIndex(m => m.Contains($"{topic} [1]: marking as DESIRED", StringComparison.Ordinal));
            Assert.That(assigned, Is.GreaterThanOrEqualTo(0), $"{topic}: the log tells when the partition was assigned");
            Assert.That(leader, Is.InRange(0, assigned), $"{topic}: its leader was known when it was assigned");
        }
    }

    private static List<string> ConsumeAll(IConsumer<byte[]?, byte[]?> consumer, int count)
    {
        var read = new List<string>();
        var waited = Stopwatch.StartNew();
        while (read.Count < count && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false } record)
            {
                read.Add(Encoding.UTF8.GetString(record.Message.Value!));
            }
        }

        return read;
    }

    private sealed class NoSink : IRecordSink
    {
        public bool HasRoomToResume => true;

        public bool TryEnqueue(ConsumeResult<byte[]?, byte[]?> record, PartitionOffsets offsets) => true;
    }
}
