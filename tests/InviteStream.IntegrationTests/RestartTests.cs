using System.Text.Json;

namespace InviteStream.IntegrationTests;

/// <summary>Offsets are committed only for events whose outcome the broker acknowledged.</summary>
[TestFixtureSource(typeof(TestKafkas), nameof(TestKafkas.All))]
public sealed class RestartTests(string broker)
{
    private ITestKafka _kafka = null!;

    [OneTimeSetUp]
    public async Task ConnectAsync() => _kafka = await TestKafkas.GetAsync(broker);

    private const int Contacts = 300;
    private const int EventsPerContact = 4;
    private const int Partitions = 6;

    // The embedded broker frees a classic-protocol member that left only after its session timeout,
    // so the classic case runs with a short one.
    [TestCase("Consumer", null)]
    [TestCase("Classic", "6000")]
    public async Task A_worker_stopped_mid_stream_and_restarted_leaves_no_event_without_an_outcome(string groupProtocol, string? sessionTimeoutMs)
    {
        // A slow engine and few calls in flight keep the first worker busy long enough to stop it mid-stream.
        await using var harness = await PipelineHarness.StartAsync(_kafka, Partitions, TimeSpan.FromMilliseconds(10), TestCampaigns.Guide());
        var now = TimeProvider.System.GetUtcNow();
        var records = new List<(string?, string)>();
        for (var round = 0; round < EventsPerContact; round++)
        {
            for (var c = 0; c < Contacts; c++)
            {
                var contact = $"ext:c{c:D4}";
                var churn = (c + round) % 3 == 0 ? 0.4 : 0.9;
                records.Add((contact, TestEvents.Event($"e{round}-{c}", contact, now, churn)));
            }
        }

        await harness.ProduceAsync(records);
        var total = records.Count;
        var settings = new Dictionary<string, string?>
        {
            ["Pipeline:EmitNotEligible"] = "true",
            ["Pipeline:MaxInFlightPerPartition"] = "2",
            ["Kafka:GroupProtocol"] = groupProtocol,
            ["Kafka:Client:session.timeout.ms"] = sessionTimeoutMs,
        };

        long decidedBeforeStop;
        using (var first = harness.BuildWorker(settings))
        {
            await first.StartAsync();
            await PipelineHarness.WaitUntilAsync(
                () => PipelineHarness.StatisticsOf(first).Finished >= total / 4, TimeSpan.FromSeconds(60), "a quarter of the events are decided");
            await first.StopAsync();
            decidedBeforeStop = PipelineHarness.StatisticsOf(first).Finished;
        }

        Assert.That(decidedBeforeStop, Is.LessThan(total), "the first worker must stop mid-stream");

        using var second = harness.BuildWorker(settings);
        await second.StartAsync();
        Assert.That(harness.ReadAll(harness.InputTopic), Has.Count.EqualTo(total));
        var missing = await harness.WaitForEveryInputDecidedAsync(TimeSpan.FromSeconds(90));
        await second.StopAsync();

        Assert.That(missing, Is.Empty);
        var invitesPerContact = harness.Simulator.State.Ledger.GroupBy(i => i.ContactId).Max(g => g.Count());
        Assert.That(invitesPerContact, Is.EqualTo(1), "no contact is invited twice within the cooldown");
    }
}
