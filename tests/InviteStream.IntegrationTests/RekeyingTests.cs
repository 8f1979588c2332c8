using System.Text;
using Confluent.Kafka;

namespace InviteStream.IntegrationTests;

/// <summary>
/// One contact's state lives in one partition whatever the producer did: a record not keyed by its
/// contactId, or not in its contact's home partition, is re-keyed through the repartition topic and
/// decided there by the owner of the contact's state.
/// </summary>
[TestFixture]
public sealed class RekeyingTests
{
    private const int Contacts = 40;
    private const int EventsPerContact = 8;

    [Test]
    public async Task Events_of_one_contact_under_many_keys_are_decided_with_its_state_and_name_their_origin()
    {
        await using var harness = await PipelineHarness.StartAsync(4, TestCampaigns.Guide(cooldownSeconds: 3600));
        var now = TimeProvider.System.GetUtcNow();
        var records = new List<Message<string?, byte[]?>>();
        for (var i = 0; i < Contacts * EventsPerContact; i++)
        {
            var contact = $"ext:r{i % Contacts:D2}";
            // Keyed by page view, by nothing, or by an empty key: one contact's events land on every partition.
            var key = (i % 3) switch { 0 => $"view-{i}", 1 => null, _ => "" };
            records.Add(new Message<string?, byte[]?> { Key = key, Value = Encoding.UTF8.GetBytes(TestEvents.Event($"e{i}", contact, now, churn: 0.9)) });
        }

        records.Add(new Message<string?, byte[]?> { Key = "view-bad", Value = "{\"eventId\":\"x\"}"u8.ToArray() });
        await harness.ProduceRawAsync(records);
        Assert.That(harness.ReadAll(harness.InputTopic).Select(r => r.Partition.Value).Distinct().Count(), Is.EqualTo(4), "the producer spread the events");

        using (var worker = harness.BuildWorker(new Dictionary<string, string?> { ["Pipeline:EmitNotEligible"] = "true" }))
        {
            await worker.StartAsync();
            await PipelineHarness.WaitUntilAsync(
                () => PipelineHarness.StatisticsOf(worker).Finished >= records.Count, TimeSpan.FromSeconds(90), "every record is handled");
            Assert.That(PipelineHarness.StatisticsOf(worker).RekeyedRecords, Is.EqualTo(Contacts * EventsPerContact));
            await worker.StopAsync();
        }

        var outcomes = harness.ReadOutcomes();
        var deadLetters = harness.ReadAll(harness.DeadLetterTopic);
        var rekeyed = harness.ReadAll(PipelineHarness.RepartitionTopicOf(harness.GroupId));
        Assert.Multiple(() =>
        {
            Assert.That(harness.Simulator.State.Received, Has.Count.EqualTo(Contacts), "one trigger per contact: its state followed its events");
            Assert.That(outcomes.Count(o => o.GetProperty("status").GetString() == "delivered"), Is.EqualTo(Contacts));
            Assert.That(
                outcomes.Where(o => o.GetProperty("status").GetString() == "suppressed").Select(o => o.GetProperty("reason").GetString()).Distinct(),
                Is.EqualTo(new[] { "cooldown" }),
                "repeats are stopped by the contact's own state, not by the engine");
            Assert.That(outcomes.Count(o => o.GetProperty("status").GetString() == "suppressed"), Is.EqualTo(Contacts * (EventsPerContact - 1)));
            Assert.That(outcomes.Select(o => o.GetProperty("sourceTopic").GetString()).Distinct(), Is.EqualTo(new[] { harness.InputTopic }), "outcomes name the record the producer wrote");
            Assert.That(
                outcomes.All(o => o.GetProperty("requestId").GetString() == $"{harness.InputTopic}:{o.GetProperty("sourcePartition").GetInt32()}:{o.GetProperty("sourceOffset").GetInt64()}"),
                "request ids come from the origin, so a replay of the input reuses them");
            Assert.That(harness.InputsWithoutOutcome(), Has.Count.EqualTo(1), "only the dead letter has no outcome");
            Assert.That(deadLetters, Has.Count.EqualTo(1));
            Assert.That(PipelineHarness.Text(deadLetters[0].Message.Headers.GetLastBytes("x-error-reason")), Is.EqualTo("missing_contact_id"));
            Assert.That(deadLetters[0].Message.Key, Is.EqualTo("view-bad"), "the original key is kept");
            Assert.That(rekeyed, Has.Count.EqualTo(Contacts * EventsPerContact));
            Assert.That(
                rekeyed.Select(r => (r.Message.Key, r.Partition.Value)).Distinct(),
                Is.EquivalentTo(LibrdkafkaMurmur2Partitions(harness, rekeyed.Select(r => r.Message.Key!).Distinct(), 4)),
                "each contact in its home partition, where Kafka's default (murmur2) partitioner puts its key");
            Assert.That(
                harness.ReadAll(harness.OutcomeTopic).Select(r => (r.Message.Key, r.Partition.Value)).Distinct(),
                Is.EquivalentTo(rekeyed.Select(r => (r.Message.Key, r.Partition.Value)).Distinct()),
                "outcomes are co-partitioned with the contact's events, whatever partition the producer chose");
        });
    }

    [Test]
    public async Task Outcomes_land_in_the_partition_number_of_the_input_record_they_answer()
    {
        await using var harness = await PipelineHarness.StartAsync(6, TestCampaigns.Guide(cooldownSeconds: 3600));
        var now = TimeProvider.System.GetUtcNow();
        await harness.ProduceAsync(Enumerable.Range(0, 120).Select(i => ((string?)$"ext:c{i % 30}", TestEvents.Event($"e{i}", $"ext:c{i % 30}", now, churn: 0.9))));

        using var worker = harness.BuildWorker(new Dictionary<string, string?> { ["Pipeline:EmitNotEligible"] = "true" });
        await worker.StartAsync();
        Assert.That(await harness.WaitForEveryInputDecidedAsync(TimeSpan.FromSeconds(60)), Is.Empty);
        await worker.StopAsync();

        var outcomes = harness.ReadAll(harness.OutcomeTopic);
        Assert.Multiple(() =>
        {
            Assert.That(outcomes, Has.Count.EqualTo(120));
            Assert.That(outcomes.Select(r => r.Partition.Value).Distinct().Count(), Is.GreaterThan(1), "the contacts span partitions");
            foreach (var record in outcomes)
            {
                var outcome = System.Text.Json.JsonDocument.Parse(record.Message.Value).RootElement;
                Assert.That(record.Partition.Value, Is.EqualTo(outcome.GetProperty("sourcePartition").GetInt32()), $"outcome of {record.Message.Key}");
                Assert.That(record.Message.Key, Is.EqualTo(outcome.GetProperty("contactId").GetString()));
            }
        });
    }

    [Test]
    public async Task A_producer_with_another_partitioner_is_re_keyed_unless_the_worker_is_told_its_partitioner()
    {
        await using var harness = await PipelineHarness.StartAsync(4, TestCampaigns.Guide(cooldownSeconds: 3600));
        var now = TimeProvider.System.GetUtcNow();

        // librdkafka's default partitioner (CRC32), keyed correctly.
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = harness.BootstrapServers }).Build())
        {
            for (var i = 0; i < 40; i++)
            {
                await producer.ProduceAsync(harness.InputTopic, new Message<string, string> { Key = $"ext:p{i}", Value = TestEvents.Event($"e{i}", $"ext:p{i}", now, churn: 0.9) });
            }
        }

        long RekeyedWith(string partitioner)
        {
            using var worker = harness.BuildWorker(new Dictionary<string, string?>
            {
                ["Kafka:GroupId"] = $"{harness.GroupId}-{partitioner}",
                ["Kafka:KeyPartitioner"] = partitioner,
            });
            harness.CreateChangelogFor($"{harness.GroupId}-{partitioner}");
            worker.StartAsync().GetAwaiter().GetResult();
            PipelineHarness.WaitUntilAsync(() => PipelineHarness.StatisticsOf(worker).Finished >= 40, TimeSpan.FromSeconds(60), "every record is handled").GetAwaiter().GetResult();
            var rekeyed = PipelineHarness.StatisticsOf(worker).RekeyedRecords;
            worker.StopAsync().GetAwaiter().GetResult();
            return rekeyed;
        }

        var rekeyedAsMurmur2 = RekeyedWith("Murmur2");
        var rekeyedAsCrc32 = RekeyedWith("Crc32");

        Assert.That(rekeyedAsMurmur2, Is.GreaterThan(20), "most CRC32-placed records are outside their murmur2 home partition");
        Assert.That(rekeyedAsCrc32, Is.Zero);
    }

    [Test]
    public async Task A_further_unkeyed_topic_with_any_partition_count_is_re_keyed_record_by_record()
    {
        await using var harness = await PipelineHarness.StartAsync(4, TestCampaigns.Guide(cooldownSeconds: 3600));
        var sessions = $"sessions-{Guid.NewGuid():N}";
        EmbeddedKafka.Cluster.CreateTopic(sessions, 3);
        var now = TimeProvider.System.GetUtcNow();
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = harness.BootstrapServers }).Build())
        {
            for (var i = 0; i < 30; i++)
            {
                await producer.ProduceAsync(sessions, new Message<string, string> { Key = $"ext:u{i % 10}", Value = TestEvents.Event($"u{i}", $"ext:u{i % 10}", now, churn: 0.9) });
            }
        }

        using var worker = harness.BuildWorker(new Dictionary<string, string?> { ["Kafka:UnkeyedInputTopics:0"] = sessions });
        await worker.StartAsync();
        await PipelineHarness.WaitUntilAsync(() => harness.ReadOutcomes().Count >= 30, TimeSpan.FromSeconds(60), "every session event is decided");
        await worker.StopAsync();

        var outcomes = harness.ReadOutcomes();
        Assert.That(outcomes.Count(o => o.GetProperty("status").GetString() == "delivered"), Is.EqualTo(10));
        Assert.That(outcomes.Select(o => o.GetProperty("sourceTopic").GetString()).Distinct(), Is.EqualTo(new[] { sessions }));
        Assert.That(PipelineHarness.StatisticsOf(worker).RekeyedRecords, Is.EqualTo(30));
    }

    // The oracle is librdkafka's own murmur2 partitioner (Kafka's Java default): where it puts each key.
    private static List<(string?, int)> LibrdkafkaMurmur2Partitions(PipelineHarness harness, IEnumerable<string> keys, int partitions)
    {
        var probe = $"probe-{Guid.NewGuid():N}";
        EmbeddedKafka.Cluster.CreateTopic(probe, partitions);
        using var producer = new ProducerBuilder<string, string>(
            new ProducerConfig { BootstrapServers = harness.BootstrapServers, Partitioner = Partitioner.Murmur2Random }).Build();
        return [.. keys.Select(key => ((string?)key, producer.ProduceAsync(probe, new Message<string, string> { Key = key, Value = "" }).GetAwaiter().GetResult().Partition.Value))];
    }
}
