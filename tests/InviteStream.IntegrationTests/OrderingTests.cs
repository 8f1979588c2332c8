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

    // Cooldown 1 s and several invites allowed, so the contact's outcomes mix delivered, suppressed and not_eligible.
    private static string MixedOutcomesCampaign() => TestCampaigns.Guide(cooldownSeconds: 1, maxInvitesPerContact: 3);
}
