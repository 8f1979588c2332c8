using System.Text;
using Confluent.Kafka;
using InviteStream.Kafka.State;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.Tests.State;

/// <summary>Partitions of a changelog restored together into a state each, against the embedded broker.</summary>
[TestFixture]
public sealed class ChangelogPartitionsTests
{
    [Test]
    public async Task Each_partition_completes_with_its_own_records_in_order()
    {
        var topic = TestBroker.Topic("changelog-partitions", 3);
        await ProduceAsync(topic, (0, "k1", "a"), (2, "x", "1"), (0, "k2", "b"), (0, "k1", null));

        var read = Read(topic, [0, 1, 2], (_, _) => { });
        var restored = await Task.WhenAll(Enumerable.Range(0, 3).Select(p => read.Of(p, CancellationToken.None))).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(restored[0].State, Is.EqualTo(new[] { "k1=a", "k2=b", "k1=(tombstone)" }));
        Assert.That(restored[0].Records, Is.EqualTo(3));
        Assert.That(restored[1].State, Is.Empty, "an empty partition is restored too");
        Assert.That(restored[1].Records, Is.Zero);
        Assert.That(restored[2].State, Is.EqualTo(new[] { "x=1" }));
    }

    [Test]
    public async Task An_abandoned_partition_is_cancelled_and_the_others_still_complete()
    {
        var topic = TestBroker.Topic("changelog-abandoned", 2);
        await ProduceAsync(topic, (0, "a", "1"), (1, "b", "2"));
        using var abandon = new CancellationTokenSource();
        await abandon.CancelAsync();

        var read = Read(topic, [0, 1], (_, _) => { });
        var abandoned = read.Of(0, abandon.Token);
        var kept = await read.Of(1, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(abandoned.IsCanceled, Is.True);
        Assert.That(kept.State, Is.EqualTo(new[] { "b=2" }));
    }

    [Test]
    public async Task A_record_that_cannot_be_applied_fails_every_partition_not_yet_restored()
    {
        var topic = TestBroker.Topic("changelog-failing", 2);
        await ProduceAsync(topic, (0, "a", "1"), (1, "b", "2"));

        var read = Read(topic, [0, 1], (_, _) => throw new InvalidDataException("unreadable"));

        foreach (var partition in new[] { 0, 1 })
        {
            var failed = Assert.ThrowsAsync<InvalidDataException>(() => read.Of(partition, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.That(failed!.Message, Is.EqualTo("unreadable"));
        }
    }

    private static ChangelogPartitions<List<string>> Read(string topic, int[] partitions, Action<string, string?> check)
    {
        var reader = new ChangelogReader(
            Options.Create(new KafkaOptions { BootstrapServers = TestBroker.Cluster.BootstrapServers, GroupId = $"group-{Guid.NewGuid():N}" }), TimeProvider.System, NullLogger<ChangelogReader>.Instance);
        return ChangelogPartitions<List<string>>.Read(reader, topic, partitions, withHeaders: false, () => [], (state, key, value, _) =>
        {
            var (k, v) = (Encoding.UTF8.GetString(key), value is null ? null : Encoding.UTF8.GetString(value));
            check(k, v);
            state.Add($"{k}={v ?? "(tombstone)"}");
        });
    }

    private static async Task ProduceAsync(string topic, params (int Partition, string Key, string? Value)[] records)
    {
        using var producer = new ProducerBuilder<byte[], byte[]?>(new ProducerConfig { BootstrapServers = TestBroker.Cluster.BootstrapServers }).Build();
        foreach (var (partition, key, value) in records)
        {
            await producer.ProduceAsync(
                new TopicPartition(topic, partition),
                new Message<byte[], byte[]?> { Key = Encoding.UTF8.GetBytes(key), Value = value is null ? null : Encoding.UTF8.GetBytes(value) });
        }
    }
}
