using System.Text.Json;

namespace InviteStream.IntegrationTests;

[TestFixtureSource(typeof(TestKafkas), nameof(TestKafkas.All))]
public sealed class OrderingTests(string broker)
{
    private ITestKafka _kafka = null!;

    [OneTimeSetUp]
    public async Task ConnectAsync() => _kafka = await TestKafkas.GetAsync(broker);

    [Test]
    public async Task A_contacts_outcomes_appear_in_the_offset_order_of_its_events()
    {
        await using var harness = await PipelineHarness.StartAsync(_kafka, 4, TimeSpan.Zero, MixedOutcomesCampaign());
        var now = TimeProvider.System.GetUtcNow();
        var records = new List<(string?, string)>();
        for (var i = 0; i < 60; i++)
        {
            records.Add(("ext:many", TestEvents.Event($"many-{i}", "ext:many", now, churn: i % 3 == 0 ? 0.9 : 0.2)));
            for (var other = 0; other < 4; other++)
            {
                var contact = $"ext:other{i}-{other}";
                records.Add((contact, TestEvents.Event($"o{i}-{other}", contact, now, churn: 0.9)));
            }
        }

        await harness.ProduceAsync(records);
        using var worker = harness.BuildWorker(new Dictionary<string, string?> { ["Pipeline:EmitNotEligible"] = "true" });
        await worker.StartAsync();
        await PipelineHarness.WaitUntilAsync(() => PipelineHarness.StatisticsOf(worker).Finished >= records.Count, TimeSpan.FromSeconds(60), "all events are decided");
        await worker.StopAsync();

        var offsets = harness.ReadOutcomes()
            .Where(o => o.GetProperty("contactId").GetString() == "ext:many")
            .Select(o => o.GetProperty("sourceOffset").GetInt64())
            .ToList();
        Assert.That(offsets, Has.Count.EqualTo(60));
        Assert.That(offsets, Is.Ordered.Ascending);
        Assert.That(offsets, Is.Unique);
    }

    [Test]
    public async Task A_contact_with_a_thousand_queued_events_gets_one_outcome_each_in_order_from_few_state_records_of_bounded_size()
    {
        const int events = 1500;
        await using var harness = await PipelineHarness.StartAsync(_kafka, 1, TimeSpan.Zero, TestCampaigns.Guide());
        var now = TimeProvider.System.GetUtcNow();
        await harness.ProduceAsync(Enumerable.Range(0, events).Select(i => ((string?)"ext:hot", TestEvents.Event($"hot-{i}", "ext:hot", now, churn: 0.9))));

        // Commits once a second instead of every 100 ms: the remembered outcomes of the contact pile up between them.
        using var worker = harness.BuildWorker(new Dictionary<string, string?> { ["Kafka:Client:auto.commit.interval.ms"] = "1000" });
        await worker.StartAsync();
        await PipelineHarness.WaitUntilAsync(() => PipelineHarness.StatisticsOf(worker).Finished >= events, TimeSpan.FromSeconds(120), "all events are decided");
        await worker.StopAsync();

        var outcomes = harness.ReadOutcomes().Where(o => o.GetProperty("contactId").GetString() == "ext:hot").ToList();
        var offsets = outcomes.Select(o => o.GetProperty("sourceOffset").GetInt64()).ToList();
        Assert.That(offsets, Is.EqualTo(Enumerable.Range(0, events).Select(i => (long)i)), "one each, in offset order");
        Assert.That(outcomes.Select(o => o.GetProperty("status").GetString()), Is.EqualTo(new[] { "delivered" }.Concat(Enumerable.Repeat("suppressed", events - 1))));
        var states = harness.ReadAll(harness.ChangelogTopic).Where(r => r.Message.Key == "ext:hot").Select(r => JsonDocument.Parse(r.Message.Value).RootElement).ToList();
        var remembered = states.Select(s => s.TryGetProperty("decisions", out var decisions) ? decisions.GetArrayLength() : 0).ToList();
        Assert.That(remembered.Max(), Is.LessThanOrEqualTo(256), "a state record remembers at most 256 outcomes");
        Assert.That(states, Has.Count.LessThan(events / 10), $"events queued behind the invite are decided in runs, one state record each ({states.Count} records)");
    }

    // Cooldown 1 s and several invites allowed, so the contact's outcomes mix delivered, suppressed and not_eligible.
    private static string MixedOutcomesCampaign() => TestCampaigns.Guide(cooldownSeconds: 1, maxInvitesPerContact: 3);
}
