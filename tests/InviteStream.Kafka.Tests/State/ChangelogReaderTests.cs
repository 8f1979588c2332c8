using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using InviteStream.Core.State;
using InviteStream.Kafka.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.Tests.State;

/// <summary>Restoring several changelog partitions with one reader, against the embedded broker.</summary>
[TestFixture]
public sealed class ChangelogReaderTests
{
    [Test]
    public async Task Every_partition_is_applied_whole_and_in_order_before_its_end_is_reported_once()
    {
        var counts = new[] { 5, 0, 20_000, 700 };
        var topic = TestBroker.Topic("changelog-read", counts.Length);
        await ProduceAsync(topic, counts);
        using var owner = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = TestBroker.Cluster.BootstrapServers }).Build();

        // As the partition's owner does once it is restored: records written after its end are not the restore's.
        var target = new RecordingTarget
        {
            OnEnd = partition =>
            {
                owner.Produce(new TopicPartition(topic, partition), new Message<byte[], byte[]> { Key = "later"u8.ToArray(), Value = "later"u8.ToArray() });
                owner.Flush(TimeSpan.FromSeconds(10));
            },
        };

        // Small fetches: partition 2 is read in hundreds of them, and the later records are fetched in between.
        Reader(("max.partition.fetch.bytes", "1024"), ("queued.max.messages.kbytes", "1")).ReadToEnd(topic, [0, 1, 2, 3], target, withHeaders: false, CancellationToken.None);

        Assert.That(target.Ended.Keys, Is.EquivalentTo(new[] { 0, 1, 2, 3 }));
        for (var partition = 0; partition < counts.Length; partition++)
        {
            var expected = Enumerable.Range(0, counts[partition]).Select(i => $"{partition}-{i}").ToList();
            Assert.That(target.Applied[partition], Is.EqualTo(expected), $"partition {partition}: every record once, in order");
            Assert.That(target.Ended[partition], Is.EqualTo(counts[partition]), $"partition {partition}: its end comes after all of its records");
        }

        Assert.That(target.AppliedAfterEnd, Is.Zero);
        Assert.That(target.Sizes, Is.EquivalentTo(new Dictionary<int, long> { [0] = 5, [2] = 20_000, [3] = 700 }), "each partition's size before its records; none for an empty one");
        Assert.That(target.WrongValues, Is.Empty, "each record's value with its key");
        Assert.That(target.Applied[3][2], Is.EqualTo("3-2"), "a tombstone is applied like any record");
    }

    [Test]
    public async Task A_partition_no_longer_wanted_is_dropped_and_the_others_are_read_to_their_end()
    {
        var counts = new[] { 2000, 300 };
        var topic = TestBroker.Topic("changelog-drop", counts.Length);
        await ProduceAsync(topic, counts);
        var target = new RecordingTarget { Unwanted = 0 };

        Reader().ReadToEnd(topic, [0, 1], target, withHeaders: false, CancellationToken.None);

        Assert.That(target.Ended.Keys, Is.EqualTo(new[] { 1 }), "the dropped partition's end is never reported");
        Assert.That(target.Applied[0], Is.Empty, "a partition unwanted from the start is not read");
        Assert.That(target.Applied[1], Has.Count.EqualTo(300));
    }

    [Test]
    public async Task A_failure_of_the_target_is_the_reads_failure()
    {
        var topic = TestBroker.Topic("changelog-fail", 2);
        await ProduceAsync(topic, [400, 400]);
        var target = new RecordingTarget { FailAt = "1-150" };

        var thrown = Assert.Throws<InvalidDataException>(() => Reader().ReadToEnd(topic, [0, 1], target, withHeaders: false, CancellationToken.None));

        Assert.That(thrown!.Message, Does.Contain("1-150"));
        Assert.That(target.Ended.ContainsKey(1), Is.False);
    }

    [Test]
    public async Task Contact_state_restore_completes_each_partition_with_its_contacts_and_cancels_one_that_left()
    {
        var topic = TestBroker.Topic("contact-restore", 3);
        var now = TimeProvider.System.GetUtcNow();
        using (var producer = new ProducerBuilder<byte[], byte[]?>(new ProducerConfig { BootstrapServers = TestBroker.Cluster.BootstrapServers }).Build())
        {
            for (var i = 0; i < 300; i++)
            {
                var snapshot = new ContactSnapshot($"c{i}", [new InviteRecord("campaign-a", now.AddMinutes(-1))]);
                await producer.ProduceAsync(new TopicPartition(topic, i % 3), new Message<byte[], byte[]?> { Key = Encoding.UTF8.GetBytes(snapshot.ContactId), Value = ContactSnapshotJson.Write(snapshot) });
            }

            // Forgotten again: a tombstone after its state.
            await producer.ProduceAsync(new TopicPartition(topic, 0), new Message<byte[], byte[]?> { Key = Encoding.UTF8.GetBytes("c0"), Value = null });
        }

        var restored = new ConcurrentBag<(int Partition, int Records)>();
        var restore = new ContactStateRestore([0, 1, 2], TimeSpan.FromHours(1), TimeProvider.System, (partition, records, _, _) => restored.Add((partition, records)));
        using var left = new CancellationTokenSource();
        await left.CancelAsync();
        var leaving = restore.Of(2, left.Token);

        await Task.Run(() => Reader().ReadToEnd(topic, restore.Partitions, restore, withHeaders: false, CancellationToken.None));

        Assert.That(leaving.IsCanceled, Is.True);
        var first = await restore.Of(0, CancellationToken.None);
        var second = await restore.Of(1, CancellationToken.None);
        Assert.That(first.Count, Is.EqualTo(99), "100 contacts, one of them tombstoned");
        Assert.That(first.InvitesOf("c0"), Is.Empty);
        Assert.That(first.InvitesOf("c3").Single().CampaignId, Is.EqualTo("campaign-a"));
        Assert.That(second.Count, Is.EqualTo(100));
        Assert.That(
            ReferenceEquals(first.InvitesOf("c3")[0].CampaignId, second.InvitesOf("c4")[0].CampaignId),
            Is.True,
            "a campaign id read a hundred times is kept once");
        Assert.That(restored.OrderBy(r => r.Partition), Is.EqualTo(new[] { (0, 101), (1, 100) }));
    }

    [Test]
    public async Task A_partition_whose_first_records_were_deleted_is_restored_from_what_is_left_with_a_warning()
    {
        // The embedded broker keeps about 5 MB of a partition: 64 records of 100 kB push the first ones out.
        var topic = TestBroker.Topic("changelog-deleted-head", 2);
        using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = TestBroker.Cluster.BootstrapServers, LingerMs = 5 }).Build())
        {
            var large = new byte[100_000];
            await Task.WhenAll(Enumerable.Range(0, 64).Select(i =>
                producer.ProduceAsync(new TopicPartition(topic, 1), new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes($"1-{i}"), Value = large })));
            await producer.ProduceAsync(new TopicPartition(topic, 0), new Message<byte[], byte[]> { Key = "0-0"u8.ToArray(), Value = "kept"u8.ToArray() });
        }

        using var probe = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = TestBroker.Cluster.BootstrapServers, GroupId = "probe" }).Build();
        var first = probe.QueryWatermarkOffsets(new TopicPartition(topic, 1), TimeSpan.FromSeconds(10)).Low.Value;
        Assert.That(first, Is.GreaterThan(0), "the broker deleted the partition's first records");
        var logger = new CapturingLogger<ChangelogReader>();
        var target = new RecordingTarget();

        Reader(logger).ReadToEnd(topic, [0, 1], target, withHeaders: false, CancellationToken.None);

        Assert.That(target.Applied[1], Is.EqualTo(Enumerable.Range((int)first, 64 - (int)first).Select(i => $"1-{i}")), "what is left, in order");
        Assert.That(target.Ended.Keys, Is.EquivalentTo(new[] { 0, 1 }));
        Assert.That(logger.Warnings, Is.EqualTo(new[] { $"Changelog {topic}[1] starts at offset {first}: the records before it were deleted (a retention, a cleanup.policy other than compact, or the embedded broker's ~5 MB per partition), and any state held only in them is not restored" }));
    }

    private static ChangelogReader Reader(params (string Key, string Value)[] client) => Reader(null, client);

    private static ChangelogReader Reader(ILogger<ChangelogReader>? logger, params (string Key, string Value)[] client)
    {
        var options = new KafkaOptions { BootstrapServers = TestBroker.Cluster.BootstrapServers, GroupId = $"group-{Guid.NewGuid():N}" };
        foreach (var (key, value) in client)
        {
            options.Client[key] = value;
        }

        return new ChangelogReader(Options.Create(options), TimeProvider.System, logger ?? NullLogger<ChangelogReader>.Instance);
    }

    // Record i of partition p is keyed "p-i", its value "value of p-i"; record 2 of partition 3 is a tombstone.
    private static async Task ProduceAsync(string topic, int[] counts)
    {
        using var producer = new ProducerBuilder<byte[], byte[]?>(new ProducerConfig { BootstrapServers = TestBroker.Cluster.BootstrapServers, LingerMs = 5 }).Build();
        var deliveries = new List<Task>();
        for (var partition = 0; partition < counts.Length; partition++)
        {
            for (var i = 0; i < counts[partition]; i++)
            {
                var key = $"{partition}-{i}";
                var value = key == "3-2" ? null : Encoding.UTF8.GetBytes($"value of {key}");
                deliveries.Add(producer.ProduceAsync(new TopicPartition(topic, partition), new Message<byte[], byte[]?> { Key = Encoding.UTF8.GetBytes(key), Value = value }));
            }
        }

        await Task.WhenAll(deliveries);
    }

    private sealed class RecordingTarget : IChangelogTarget
    {
        public Dictionary<int, List<string>> Applied { get; } = Enumerable.Range(0, 8).ToDictionary(p => p, _ => new List<string>());

        /// <summary>Each partition whose end was reported, with how many of its records had been applied then.</summary>
        public Dictionary<int, int> Ended { get; } = [];

        public int AppliedAfterEnd { get; private set; }

        public List<string> WrongValues { get; } = [];

        public int? Unwanted { get; init; }

        public string? FailAt { get; init; }

        public void Apply(int partition, byte[] key, byte[]? value, Headers? headers)
        {
            var text = Encoding.UTF8.GetString(key);
            if (text == FailAt)
            {
                throw new InvalidDataException($"cannot read {text}");
            }

            if (Ended.ContainsKey(partition))
            {
                AppliedAfterEnd++;
            }

            if ((value is null ? null : Encoding.UTF8.GetString(value)) != (text == "3-2" ? null : $"value of {text}"))
            {
                WrongValues.Add(text);
            }

            Applied[partition].Add(text);
        }

        public Action<int>? OnEnd { get; init; }


        /// <summary>Each partition's size as announced before its records.</summary>
        public Dictionary<int, long> Sizes { get; } = [];

        public void Starting(int partition, long records)
        {
            Assert.That(Applied[partition], Is.Empty);
            Sizes.Add(partition, records);
        }

        public void ReachedEnd(int partition)
        {
            Ended.Add(partition, Applied[partition].Count);
            OnEnd?.Invoke(partition);
        }

        public bool Wants(int partition) => partition != Unwanted;
    }
}
