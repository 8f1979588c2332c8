using System.Text;
using Confluent.Kafka;

namespace InviteStream.IntegrationTests;

/// <summary>
/// An input not keyed by contactId (<c>Kafka:UnkeyedInputTopics</c>) is re-keyed through the
/// repartition topic, so one contact's events meet its state on one partition whatever partition
/// the producer wrote them to.
/// </summary>
[TestFixture]
public sealed class RekeyingTests
{
    private const int Contacts = 40;
    private const int EventsPerContact = 8;

    [Test]
    public async Task Events_of_one_contact_spread_over_partitions_are_decided_together_and_name_their_origin()
    {
        await using var harness = await PipelineHarness.StartAsync(4, TestCampaigns.Guide(cooldownSeconds: 3600));
        var repartitionTopic = harness.CreateRepartitionTopicFor(harness.GroupId);
        var now = TimeProvider.System.GetUtcNow();
        var records = new List<Message<string?, byte[]?>>();
        for (var i = 0; i < Contacts * EventsPerContact; i++)
        {
            var contact = $"ext:r{i % Contacts:D2}";
            // Keyed by page-view id: one contact's events land on every partition.
            records.Add(new Message<string?, byte[]?> { Key = $"view-{i}", Value = Encoding.UTF8.GetBytes(TestEvents.Event($"e{i}", contact, now, churn: 0.9)) });
        }

        records.Add(new Message<string?, byte[]?> { Key = "view-bad", Value = "{\"eventId\":\"x\"}"u8.ToArray() });
        await harness.ProduceRawAsync(records);
        Assert.That(harness.ReadAll(harness.InputTopic).Select(r => r.Partition.Value).Distinct().Count(), Is.EqualTo(4), "the producer spread the events");

        using (var worker = harness.BuildWorker(new Dictionary<string, string?>
        {
            ["Kafka:UnkeyedInputTopics:0"] = harness.InputTopic,
            ["Pipeline:EmitNotEligible"] = "true",
        }))
        {
            await worker.StartAsync();
            await PipelineHarness.WaitUntilAsync(
                () => PipelineHarness.StatisticsOf(worker).Finished >= records.Count, TimeSpan.FromSeconds(90), "every record is handled");
            await worker.StopAsync();
        }

        var outcomes = harness.ReadOutcomes();
        var deadLetters = harness.ReadAll(harness.DeadLetterTopic);
        var repartitioned = harness.ReadAll(repartitionTopic);
        Assert.Multiple(() =>
        {
            Assert.That(harness.Simulator.State.Ledger, Has.Count.EqualTo(Contacts), "one invite per contact: its state followed its events");
            Assert.That(outcomes.Count(o => o.GetProperty("status").GetString() == "delivered"), Is.EqualTo(Contacts));
            Assert.That(outcomes.Count(o => o.GetProperty("status").GetString() == "suppressed"), Is.EqualTo(Contacts * (EventsPerContact - 1)));
            Assert.That(outcomes.Select(o => o.GetProperty("sourceTopic").GetString()).Distinct(), Is.EqualTo(new[] { harness.InputTopic }), "outcomes name the record the producer wrote");
            Assert.That(
                outcomes.All(o => o.GetProperty("requestId").GetString() == $"{harness.InputTopic}:{o.GetProperty("sourcePartition").GetInt32()}:{o.GetProperty("sourceOffset").GetInt64()}"),
                "request ids come from the origin, so a replay of the input reuses them");
            Assert.That(harness.InputsWithoutOutcome().Count, Is.EqualTo(1), "only the dead letter has no outcome");
            Assert.That(deadLetters, Has.Count.EqualTo(1));
            Assert.That(PipelineHarness.Text(deadLetters[0].Message.Headers.GetLastBytes("x-error-reason")), Is.EqualTo("missing_contact_id"));
            Assert.That(PipelineHarness.Text(deadLetters[0].Message.Headers.GetLastBytes("x-source-topic")), Is.EqualTo(harness.InputTopic));
            Assert.That(deadLetters[0].Message.Key, Is.EqualTo("view-bad"), "the original key is kept");
            Assert.That(repartitioned, Has.Count.EqualTo(Contacts * EventsPerContact));
            Assert.That(repartitioned.GroupBy(r => r.Message.Key).All(g => g.Select(r => r.Partition.Value).Distinct().Count() == 1), "a contact has one partition");
        });
    }
}
