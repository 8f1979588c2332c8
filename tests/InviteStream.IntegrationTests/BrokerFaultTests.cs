namespace InviteStream.IntegrationTests;

/// <summary>The worker rides out broker outages and failed requests without losing an event.</summary>
[TestFixture]
public sealed class BrokerFaultTests
{
    private const short ProduceApi = 0;
    private const short OffsetCommitApi = 8;
    private const int NotLeaderOrFollower = 6;
    private const int RequestTimedOut = 7;
    private const int NotCoordinator = 16;

    [Test]
    public async Task A_broker_down_and_failing_produce_and_commit_requests_lose_no_event()
    {
        await using var harness = await PipelineHarness.StartAsync(6, TimeSpan.FromMilliseconds(2), TestCampaigns.Guide());
        var now = TimeProvider.System.GetUtcNow();
        const int events = 3000;
        await harness.ProduceAsync(Enumerable.Range(0, events).Select(i =>
        {
            var contact = $"ext:f{i % 700:D4}";
            return ((string?)contact, TestEvents.Event($"f{i}", contact, now, churn: 0.9));
        }));

        using var worker = harness.BuildWorker(new Dictionary<string, string?>
        {
            ["Pipeline:EmitNotEligible"] = "true",
            ["Pipeline:MaxInFlightPerPartition"] = "4",
        });
        await worker.StartAsync();
        await PipelineHarness.WaitUntilAsync(() => PipelineHarness.StatisticsOf(worker).Finished >= events / 10, TimeSpan.FromSeconds(60), "processing is under way");

        EmbeddedKafka.Cluster.PushRequestErrors(ProduceApi, NotLeaderOrFollower, RequestTimedOut, NotLeaderOrFollower, RequestTimedOut);
        EmbeddedKafka.Cluster.PushRequestErrors(OffsetCommitApi, NotCoordinator, NotCoordinator, RequestTimedOut);
        EmbeddedKafka.Cluster.SetBrokerDown(2);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
        finally
        {
            EmbeddedKafka.Cluster.SetBrokerUp(2);
        }

        var missing = await harness.WaitForEveryInputDecidedAsync(TimeSpan.FromSeconds(120));
        await worker.StopAsync();

        Assert.That(missing, Is.Empty);
        Assert.That(harness.Simulator.State.Ledger.GroupBy(i => i.ContactId).Max(g => g.Count()), Is.EqualTo(1));
    }
}
