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
