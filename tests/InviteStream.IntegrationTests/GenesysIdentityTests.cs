namespace InviteStream.IntegrationTests;

/// <summary>
/// A contact's Genesys id, found once by identifier lookup, is kept with the contact's state (the
/// changelog): a worker started afresh, with no memory of the lookup, invites the contact again
/// without looking it up again.
/// </summary>
[TestFixture]
public sealed class GenesysIdentityTests
{
    [Test]
    public async Task A_restarted_worker_reuses_the_contact_id_kept_with_the_contacts_state()
    {
        await using var harness = await PipelineHarness.StartAsync(2, TestCampaigns.Guide(cooldownSeconds: 1, maxInvitesPerContact: 5));
        var settings = new Dictionary<string, string?>
        {
            ["Engagement:Api"] = "JourneySegments",
            [$"Engagement:SegmentIds:{TestCampaigns.GuideCampaignId}"] = "seg-1",
            ["Engagement:SegmentAlreadyAssigned"] = "Extend",
        };

        using (var first = harness.BuildWorker(settings))
        {
            await first.StartAsync();
            await harness.ProduceAsync([("ext:ivy", TestEvents.Event("e1", "ext:ivy", TimeProvider.System.GetUtcNow(), 0.9))]);
            await PipelineHarness.WaitUntilAsync(() => harness.ReadOutcomes().Count == 1, TimeSpan.FromSeconds(30), "the first invite's outcome");
            await first.StopAsync();
        }

        // Past the campaign's 1 s cooldown, a fresh worker (its lookup cache empty) restores the contact from the changelog.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        using var second = harness.BuildWorker(settings);
        await second.StartAsync();
        await harness.ProduceAsync([("ext:ivy", TestEvents.Event("e2", "ext:ivy", TimeProvider.System.GetUtcNow(), 0.9))]);
        await PipelineHarness.WaitUntilAsync(() => harness.ReadOutcomes().Count == 2, TimeSpan.FromSeconds(30), "the second invite's outcome");
        await second.StopAsync();

        var genesysId = harness.Simulator.State.FindExternalContact("ExternalId", "ivy");
        Assert.Multiple(() =>
        {
            Assert.That(
                harness.ReadOutcomes().Select(o => (o.GetProperty("status").GetString(), o.GetProperty("reason").GetString())),
                Is.EqualTo(new[] { ("delivered", "segment_assigned"), ("delivered", "segment_assigned") }));
            Assert.That(harness.Simulator.Counters.LookupRequestCount, Is.EqualTo(1), "looked up once, by the first worker");
            Assert.That(harness.Simulator.State.SegmentLog, Is.EqualTo(new[] { $"assign {genesysId} seg-1", $"assign {genesysId} seg-1" }));
        });
    }
}
