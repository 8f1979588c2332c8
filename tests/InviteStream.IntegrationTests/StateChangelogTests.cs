using System.Globalization;
using System.Text;
using Confluent.Kafka;
using InviteStream.Kafka.Pipeline;

namespace InviteStream.IntegrationTests;

/// <summary>Contact state survives restarts through the co-partitioned changelog.</summary>
[TestFixture]
public sealed class StateChangelogTests
{
    [Test]
    public async Task A_restarted_worker_restores_the_cooldown_and_suppresses_locally_without_calling_the_engine()
    {
        await using var harness = await PipelineHarness.StartAsync(4, TestCampaigns.Guide());
        await harness.ProduceAsync([("ext:alice", TestEvents.Event("e1", "ext:alice", TimeProvider.System.GetUtcNow(), churn: 0.9))]);
        using (var first = harness.BuildWorker())
        {
            await first.StartAsync();
            await PipelineHarness.WaitUntilAsync(() => PipelineHarness.StatisticsOf(first).Finished >= 1, TimeSpan.FromSeconds(60), "the first invite is delivered");
            await first.StopAsync();
        }

        var changelog = harness.ReadAll($"{harness.GroupId}.contact-state");
        Assert.That(changelog.Select(r => r.Message.Key), Is.EqualTo(new[] { "ext:alice", "ext:alice" }), "pending (before the trigger left), then settled");
        var inputPartition = harness.ReadAll(harness.InputTopic).Single().Partition.Value;
        Assert.That(changelog.Select(r => r.Partition.Value).Distinct(), Is.EqualTo(new[] { inputPartition }), "co-partitioned with the input");

        await harness.ProduceAsync([("ext:alice", TestEvents.Event("e2", "ext:alice", TimeProvider.System.GetUtcNow(), churn: 0.95))]);
        using (var second = harness.BuildWorker())
        {
            await second.StartAsync();
            await PipelineHarness.WaitUntilAsync(() => PipelineHarness.StatisticsOf(second).Finished >= 1, TimeSpan.FromSeconds(60), "the second event is decided");
            await second.StopAsync();
        }

        var decided = harness.ReadOutcomes().Single(o => o.GetProperty("eventId").GetString() == "e2");
        Assert.That(decided.GetProperty("status").GetString(), Is.EqualTo("suppressed"));
        Assert.That(decided.GetProperty("reason").GetString(), Is.EqualTo("cooldown"), "decided from restored local state");
        Assert.That(harness.Simulator.State.Received, Has.Count.EqualTo(1), "the engine saw one trigger only");
    }

    [Test]
    public async Task An_earlier_event_read_again_after_a_crash_does_not_wait_for_the_invite_a_later_one_left_pending()
    {
        await using var harness = await PipelineHarness.StartAsync(1, TestCampaigns.Guide());
        var now = TimeProvider.System.GetUtcNow();
        await harness.ProduceAsync(
        [
            ("ext:crash", TestEvents.Event("c0", "ext:crash", now, churn: 0.1)),
            ("ext:crash", TestEvents.Event("c1", "ext:crash", now, churn: 0.1)),
            ("ext:crash", TestEvents.Event("c2", "ext:crash", now, churn: 0.9)),
        ]);

        // What a worker killed after writing the pending state of offset 2, before its trigger left, leaves behind.
        var decidedAt = now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        var pending = "{\"contactId\":\"ext:crash\",\"invites\":[],\"pending\":{\"requestId\":\"" + harness.InputTopic + ":0:2\",\"campaignId\":\""
            + TestCampaigns.GuideCampaignId + "\",\"decidedAt\":\"" + decidedAt + "\"}}";
        await harness.ProduceRawAsync([new Message<string?, byte[]?> { Key = "ext:crash", Value = Encoding.UTF8.GetBytes(pending) }], harness.ChangelogTopic);
        using var worker = harness.BuildWorker();
        await worker.StartAsync();
        await PipelineHarness.WaitUntilAsync(
            () => harness.ReadOutcomes().Any(o => o.GetProperty("eventId").GetString() == "c2"),
            TimeSpan.FromSeconds(30),
            "the events before the pending invite's are decided, and the invite is handed to dispatch again");
        await worker.StopAsync();

        Assert.That(harness.ReadOutcomes().Single().GetProperty("status").GetString(), Is.EqualTo("delivered"));
        Assert.That(harness.Simulator.State.Received, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task An_invites_event_read_again_after_its_result_was_committed_but_before_itself_keeps_its_delivered_answer()
    {
        // "slow" (churn above 0.9) allows one invite a minute; "fast" (churn 0.72 to 0.9) is not limited.
        var slow = TestCampaigns.Guide(maxInvitesPerMinute: 1, id: "slow").Replace("\"value\": 0.72", "\"value\": 0.9", StringComparison.Ordinal);
        var fast = TestCampaigns.Guide(id: "fast").Replace(
            "\"filters\": [",
            "\"filters\": [ { \"attributeName\": \"external.churn_probability\", \"operator\": \"less_than\", \"value\": 0.9, \"dataType\": \"float\" },",
            StringComparison.Ordinal);
        await using var harness = await PipelineHarness.StartAsync(1, slow, fast);
        var now = TimeProvider.System.GetUtcNow();

        // ext:first takes the slow campaign's invite of the minute; ext:waiting's invite then waits for
        // a permit, and its second event waits for that invite: the input's committable offset stays
        // there while ext:x's invite is delivered, its result committed, and its next event suppressed.
        await harness.ProduceAsync(
        [
            ("ext:first", TestEvents.Event("f0", "ext:first", now, churn: 0.95)),
            ("ext:waiting", TestEvents.Event("w0", "ext:waiting", now, churn: 0.95)),
            ("ext:waiting", TestEvents.Event("w1", "ext:waiting", now, churn: 0.95)),
            ("ext:x", TestEvents.Event("x0", "ext:x", now, churn: 0.8)),
            ("ext:x", TestEvents.Event("x1", "ext:x", now, churn: 0.8)),
        ]);
        // With five minutes to send it, the waiting invite waits for next minute's permit instead of being throttled at once.
        var settings = new Dictionary<string, string?> { ["Pipeline:MaxInviteDelay"] = "00:05:00", ["Pipeline:DrainTimeout"] = "00:00:00.500" };
        using (var first = harness.BuildWorker(settings))
        {
            await first.StartAsync();
            await PipelineHarness.WaitUntilAsync(() => Outcomes(harness, "x1").Count == 1, TimeSpan.FromSeconds(30), "x0 is delivered and x1 suppressed");

            // After a commit of x0's result: x2's state record is the contact's last, and a drain that
            // outlives its timeout (ext:waiting's invite) leaves the input uncommitted from w1 on: a crash.
            await Task.Delay(TimeSpan.FromSeconds(1));
            await harness.ProduceAsync([("ext:x", TestEvents.Event("x2", "ext:x", now, churn: 0.8))]);
            await PipelineHarness.WaitUntilAsync(() => Outcomes(harness, "x2").Count == 1, TimeSpan.FromSeconds(30), "x2 is suppressed");
            await first.StopAsync();
        }

        Assert.That(Outcomes(harness, "w1"), Is.Empty, "w1 still waited for ext:waiting's invite, so the input was not committed past it");
        using (var second = harness.BuildWorker(settings))
        {
            await second.StartAsync();
            await PipelineHarness.WaitUntilAsync(() => Outcomes(harness, "x2").Count == 2, TimeSpan.FromSeconds(30), "ext:x's events are read again");
            await second.StopAsync();
        }

        Assert.That(Outcomes(harness, "x0"), Is.EqualTo(new[] { "delivered" }), "answered from the result, never suppressed by its own invite");
        Assert.That(harness.Simulator.State.Ledger.Count(i => i.ContactId == "ext:x"), Is.EqualTo(1));
    }

    private static List<string?> Outcomes(PipelineHarness harness, string eventId) =>
        [.. harness.ReadOutcomes().Where(o => o.GetProperty("eventId").GetString() == eventId).Select(o => o.GetProperty("status").GetString())];

    [Test]
    public async Task The_worker_refuses_to_start_when_the_outcome_topic_has_another_partition_count()
    {
        await using var harness = await PipelineHarness.StartAsync(4, TestCampaigns.Guide());
        var narrowOutcomes = harness.OutcomeTopic + "-narrow";
        EmbeddedKafka.Cluster.CreateTopic(narrowOutcomes, 2);
        using var worker = harness.BuildWorker(new Dictionary<string, string?> { ["Kafka:OutcomeTopic"] = narrowOutcomes });

        var refused = Assert.ThrowsAsync<TopicLayoutException>(() => worker.StartAsync());

        Assert.That(refused!.Message, Does.Contain($"'{narrowOutcomes}' (Kafka:OutcomeTopic) has 2 partitions but input topic '{harness.InputTopic}' has 4"));
    }

    [Test]
    public async Task A_contact_whose_cooldowns_all_passed_is_dropped_and_tombstoned_in_the_changelog()
    {
        await using var harness = await PipelineHarness.StartAsync(2, TestCampaigns.Guide(cooldownSeconds: 1));
        await harness.ProduceAsync([("ext:brief", TestEvents.Event("b1", "ext:brief", TimeProvider.System.GetUtcNow(), churn: 0.9))]);
        using var worker = harness.BuildWorker(new Dictionary<string, string?> { ["Pipeline:StateEvictionInterval"] = "00:00:00.200" });
        await worker.StartAsync();

        var changelog = $"{harness.GroupId}.contact-state";
        await PipelineHarness.WaitUntilAsync(
            () => harness.ReadAll(changelog).LastOrDefault(r => r.Message.Key == "ext:brief") is { Message.Value: null },
            TimeSpan.FromSeconds(30),
            "the invite's state and then its tombstone are in the changelog");
        await worker.StopAsync();

        var records = harness.ReadAll(changelog).Where(r => r.Message.Key == "ext:brief").ToList();
        Assert.That(records[0].Message.Value, Is.Not.Null.And.Not.Empty, "the state after the invite");
        Assert.That(records[^1].Message.Value, Is.Null, "a tombstone once no cooldown applies");
    }
}
