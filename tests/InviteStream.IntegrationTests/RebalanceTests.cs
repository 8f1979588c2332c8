using Microsoft.Extensions.Hosting;

namespace InviteStream.IntegrationTests;

/// <summary>Partitions move between instances with their state; nothing is lost or sent twice.</summary>
[TestFixtureSource(typeof(TestKafkas), nameof(TestKafkas.All))]
public sealed class RebalanceTests(string broker)
{
    private ITestKafka _kafka = null!;

    [OneTimeSetUp]
    public async Task ConnectAsync() => _kafka = await TestKafkas.GetAsync(broker);

    private const int Contacts = 600;

    [Test]
    public async Task When_a_worker_leaves_and_rejoins_its_partitions_state_moves_with_them()
    {
        await using var harness = await PipelineHarness.StartAsync(_kafka, 6, TimeSpan.Zero, TestCampaigns.Guide());
        var settings = new Dictionary<string, string?> { ["Pipeline:EmitNotEligible"] = "true" };
        using var first = harness.BuildWorker(settings);
        using var second = harness.BuildWorker(settings);
        var third = harness.BuildWorker(settings);
        IHost? rejoined = null;
        try
        {
            await Task.WhenAll(first.StartAsync(), second.StartAsync(), third.StartAsync());
            var produced = await WaveAsync(harness, wave: 0);
            await WaitForCoverageAsync(harness, produced);

            // One instance leaves: its partitions (and their invited contacts) move to the others.
            await third.StopAsync();
            third.Dispose();
            produced += await WaveAsync(harness, wave: 1);
            await WaitForCoverageAsync(harness, produced);

            // And comes back: partitions move again.
            rejoined = harness.BuildWorker(settings);
            await rejoined.StartAsync();
            produced += await WaveAsync(harness, wave: 2);
            await WaitForCoverageAsync(harness, produced);
        }
        finally
        {
            foreach (var host in new[] { first, second, rejoined })
            {
                if (host is not null)
                {
                    await host.StopAsync();
                }
            }

            rejoined?.Dispose();
        }

        var ledger = harness.Simulator.State.Ledger.GroupBy(i => i.ContactId).ToDictionary(g => g.Key, g => g.Count());
        Assert.That(ledger, Has.Count.EqualTo(Contacts), "every contact invited in the first wave");
        Assert.That(ledger.Values.Max(), Is.EqualTo(1));
        Assert.That(
            harness.Simulator.State.Received.Count(t => t.Status == "suppressed"),
            Is.Zero,
            "the instance that took a partition over knew its contacts' cooldowns: no repeat reached the engine");
    }

    // Every wave sends one matching event per contact; only the first wave's can be delivered.
    private static async Task<int> WaveAsync(PipelineHarness harness, int wave)
    {
        var now = TimeProvider.System.GetUtcNow();
        await harness.ProduceAsync(Enumerable.Range(0, Contacts).Select(c =>
        {
            var contact = $"ext:r{c:D4}";
            return ((string?)contact, TestEvents.Event($"w{wave}-{c}", contact, now, churn: 0.9));
        }));
        return Contacts;
    }

    private static async Task WaitForCoverageAsync(PipelineHarness harness, int produced)
    {
        Assert.That(harness.ReadAll(harness.InputTopic), Has.Count.EqualTo(produced));
        Assert.That(await harness.WaitForEveryInputDecidedAsync(TimeSpan.FromSeconds(90)), Is.Empty, "every input offset has an outcome");
    }
}
