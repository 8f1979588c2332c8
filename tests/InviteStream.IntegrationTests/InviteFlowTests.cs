using System.Text.Json;
using InviteStream.Core.Campaigns;

namespace InviteStream.IntegrationTests;

/// <summary>The whole flow over real sockets: embedded broker, worker, simulator.</summary>
[TestFixture]
public sealed class InviteFlowTests
{
    [Test]
    public async Task Each_event_gets_exactly_the_expected_outcome_and_the_simulator_exactly_the_expected_triggers()
    {
        await using var harness = await PipelineHarness.StartAsync(4, TestCampaigns.Guide(cooldownSeconds: 3600));
        var now = TimeProvider.System.GetUtcNow();
        await harness.ProduceAsync(
        [
            ("ext:alice", TestEvents.Event("e1", "ext:alice", now, churn: 0.87)),
            ("ext:alice", TestEvents.Event("e2", "ext:alice", now, churn: 0.91, dwell: 60)),
            ("ext:bob", TestEvents.Event("e3", "ext:bob", now, churn: "0.87")),
            ("ext:carol", TestEvents.Event("e4", "ext:carol", now, churn: 0.5)),
            ("ext:dave", TestEvents.Event("e5", "ext:dave", now, churn: 0.8, dwell: 46)),
            ("ext:erin", TestEvents.Event("e6", "ext:erin", now, churn: 1)),
        ]);

        using var worker = harness.BuildWorker();
        await worker.StartAsync();
        await PipelineHarness.WaitUntilAsync(() => PipelineHarness.StatisticsOf(worker).Finished >= 6, TimeSpan.FromSeconds(60), "all six events are decided");
        await worker.StopAsync();

        var outcomes = harness.ReadOutcomes().ToDictionary(o => o.GetProperty("eventId").GetString()!);
        Assert.That(outcomes.Keys, Is.EquivalentTo(new[] { "e1", "e2", "e5", "e6" }), "no outcome for the two events that match no campaign");
        Assert.Multiple(() =>
        {
            Assert.That(Status(outcomes["e1"]), Is.EqualTo("delivered"));
            Assert.That(Status(outcomes["e2"]), Is.EqualTo("suppressed"));
            Assert.That(outcomes["e2"].GetProperty("reason").GetString(), Is.EqualTo("cooldown"));
            Assert.That(Status(outcomes["e5"]), Is.EqualTo("delivered"));
            Assert.That(Status(outcomes["e6"]), Is.EqualTo("delivered"), "an integer satisfies a float filter");
        });

        var delivered = outcomes["e1"];
        var decidedAt = delivered.GetProperty("decidedAt").GetDateTimeOffset();
        var suppressedUntil = outcomes["e2"].GetProperty("suppressedUntil").GetDateTimeOffset();
        Assert.Multiple(() =>
        {
            Assert.That(delivered.GetProperty("contactId").GetString(), Is.EqualTo("ext:alice"));
            Assert.That(delivered.GetProperty("campaignId").GetString(), Is.EqualTo(TestCampaigns.GuideCampaignId));
            Assert.That(delivered.GetProperty("correlationId").GetString(), Is.EqualTo("corr_e1"));
            Assert.That(delivered.GetProperty("sourceTopic").GetString(), Is.EqualTo(harness.InputTopic));
            Assert.That(
                delivered.GetProperty("requestId").GetString(),
                Is.EqualTo($"{harness.InputTopic}:{delivered.GetProperty("sourcePartition").GetInt32()}:{delivered.GetProperty("sourceOffset").GetInt64()}"));
            Assert.That(delivered.GetProperty("occurredAt").GetDateTimeOffset(), Is.EqualTo(now).Within(TimeSpan.FromMilliseconds(1)));
            Assert.That(decidedAt, Is.GreaterThanOrEqualTo(now));
            Assert.That(delivered.GetProperty("decisionLatencyMs").GetDouble(), Is.GreaterThan(0));
            Assert.That(delivered.GetProperty("suppressedUntil").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(suppressedUntil, Is.EqualTo(decidedAt.AddSeconds(3600)).Within(TimeSpan.FromSeconds(2)));
        });

        var triggers = harness.Simulator.State.Received;
        Assert.That(triggers.Select(t => t.Body.GetProperty("contactId").GetString()), Is.EquivalentTo(new[] { "ext:alice", "ext:dave", "ext:erin" }));
        Assert.That(triggers.Select(t => t.Status), Is.All.EqualTo("delivered"));
        Assert.That(harness.Simulator.State.Ledger, Has.Count.EqualTo(3));

        var alice = triggers.Single(t => t.Body.GetProperty("contactId").GetString() == "ext:alice").Body;
        Assert.That(alice.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "contactId", "channelId", "sessionData", "evaluationContext" }));
        var sessionData = alice.GetProperty("sessionData");
        var context = alice.GetProperty("evaluationContext");
        Assert.Multiple(() =>
        {
            Assert.That(alice.GetProperty("channelId").GetString(), Is.EqualTo("webchat:primary_embed"));
            Assert.That(
                sessionData.EnumerateObject().Select(p => p.Name),
                Is.EquivalentTo(new[] { "external.churn_probability", "session.dwell_time_seconds", "contact.is_authenticated", "browser.locale", "referrer.page" }),
                "exactly the filter attributes plus the pass-through keys");
            Assert.That(sessionData.GetProperty("external.churn_probability").ValueKind, Is.EqualTo(JsonValueKind.Number));
            Assert.That(sessionData.GetProperty("external.churn_probability").GetDouble(), Is.EqualTo(0.87));
            Assert.That(sessionData.GetProperty("session.dwell_time_seconds").GetRawText(), Is.EqualTo("52"));
            Assert.That(sessionData.GetProperty("contact.is_authenticated").ValueKind, Is.EqualTo(JsonValueKind.True));
            Assert.That(context.GetProperty("requestId").GetString(), Is.EqualTo(delivered.GetProperty("requestId").GetString()));
            Assert.That(context.GetProperty("correlationId").GetString(), Is.EqualTo("corr_e1"));
            Assert.That(context.GetProperty("timestamp").GetDateTimeOffset(), Is.EqualTo(now).Within(TimeSpan.FromMilliseconds(1)));
        });

        Assert.That(harness.ReadAll(harness.DeadLetterTopic), Is.Empty);
    }

    [Test]
    public async Task Bad_records_go_to_the_dead_letter_topic_with_their_reason_and_source()
    {
        await using var harness = await PipelineHarness.StartAsync(1, TestCampaigns.Guide());
        var now = TimeProvider.System.GetUtcNow();
        await harness.ProduceAsync(
        [
            ("ext:x", "{not json"),
            ("ext:y", """{"eventId":"b2","channelId":"c","occurredAt":"2026-01-01T00:00:00Z","attributes":{}}"""),
            ("ext:z", TestEvents.Event("ok", "ext:z", now, churn: 0.9)),
        ]);

        using var worker = harness.BuildWorker();
        await worker.StartAsync();
        await PipelineHarness.WaitUntilAsync(() => PipelineHarness.StatisticsOf(worker).Finished >= 3, TimeSpan.FromSeconds(60), "all three records are handled");
        await worker.StopAsync();

        var deadLetters = harness.ReadAll(harness.DeadLetterTopic);
        Assert.That(deadLetters.Select(d => Header(d, "x-error-reason")), Is.EqualTo(new[] { "invalid_json", "missing_contact_id" }));
        Assert.Multiple(() =>
        {
            Assert.That(deadLetters.Select(d => Header(d, "x-source-offset")), Is.EqualTo(new[] { "0", "1" }));
            Assert.That(deadLetters.Select(d => Header(d, "x-source-topic")), Is.All.EqualTo(harness.InputTopic));
            Assert.That(deadLetters.Select(d => Header(d, "x-source-partition")), Is.All.EqualTo("0"));
            Assert.That(PipelineHarness.Text(deadLetters[0].Message.Value), Is.EqualTo("{not json"), "the original value is kept");
            Assert.That(deadLetters[0].Message.Key, Is.EqualTo("ext:x"), "the original key is kept");
        });
        Assert.That(harness.ReadOutcomes().Select(Status), Is.EqualTo(new[] { "delivered" }));
    }

    [Test]
    public async Task Events_older_than_the_maximum_age_expire_without_a_call()
    {
        await using var harness = await PipelineHarness.StartAsync(1, TestCampaigns.Guide());
        var stale = TimeProvider.System.GetUtcNow().AddMinutes(-5);
        await harness.ProduceAsync([("ext:old", TestEvents.Event("old", "ext:old", stale, churn: 0.9))]);

        using var worker = harness.BuildWorker();
        await worker.StartAsync();
        await PipelineHarness.WaitUntilAsync(() => PipelineHarness.StatisticsOf(worker).Finished >= 1, TimeSpan.FromSeconds(60), "the event is decided");
        await worker.StopAsync();

        Assert.That(harness.ReadOutcomes().Select(Status), Is.EqualTo(new[] { "expired" }));
        Assert.That(harness.Simulator.State.Received, Is.Empty);
    }

    private static string Status(JsonElement outcome) => outcome.GetProperty("status").GetString()!;

    private static string Header(Confluent.Kafka.ConsumeResult<string?, byte[]> record, string name) =>
        PipelineHarness.Text(record.Message.Headers.GetLastBytes(name));
}
