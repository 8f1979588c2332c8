using System.Text.Json;

namespace InviteStream.IntegrationTests;

/// <summary>The grant changelog holds every grant of the window in records that stay small whatever the cap.</summary>
[TestFixture]
public sealed class GrantChangelogTests
{
    [Test]
    public async Task A_high_cap_campaigns_grants_are_all_recorded_in_small_time_slices()
    {
        const int Events = 3_000;
        await using var harness = await PipelineHarness.StartAsync(4, TestCampaigns.Guide(maxInvitesPerMinute: 1_000_000));
        var now = TimeProvider.System.GetUtcNow();
        await harness.ProduceAsync(Enumerable.Range(0, Events).Select(i => ((string?)$"ext:g{i}", TestEvents.Event($"g{i}", $"ext:g{i}", now, churn: 0.9))));

        // All of one campaign's invites go through one trigger partition: give them time.
        using (var worker = harness.BuildWorker(new Dictionary<string, string?> { ["Pipeline:MaxInviteDelay"] = "00:02:00", ["Pipeline:MaxEventAge"] = "00:05:00" }))
        {
            await worker.StartAsync();
            Assert.That(await harness.WaitForEveryInputDecidedAsync(TimeSpan.FromSeconds(120)), Is.Empty);
            await worker.StopAsync();
        }

        // The latest record of each key, as compaction keeps it.
        var latest = harness.ReadAll($"{harness.GroupId}.grants")
            .GroupBy(r => r.Message.Key)
            .Select(g => g.Last())
            .Where(r => r.Message.Key!.StartsWith(TestCampaigns.GuideCampaignId, StringComparison.Ordinal))
            .ToList();
        var granted = latest
            .Where(r => r.Message.Value is { Length: > 0 })
            .SelectMany(r => JsonDocument.Parse(r.Message.Value).RootElement.GetProperty("grants").EnumerateArray())
            .Select(g => (RequestId: g.GetProperty("requestId").GetString(), Answered: g.TryGetProperty("answered", out var a) && a.GetBoolean()))
            .ToList();

        Assert.Multiple(() =>
        {
            Assert.That(harness.Simulator.State.Received, Has.Count.EqualTo(Events));
            Assert.That(granted.Select(g => g.RequestId).Distinct().Count(), Is.EqualTo(Events), "every grant of the window is in the changelog");
            Assert.That(granted, Has.Count.EqualTo(Events), "each in one slice only: a grant moved to its answer's slice is gone from its grant's");
            Assert.That(granted.Where(g => g.Answered).Select(g => g.RequestId).Distinct().Count(), Is.EqualTo(Events), "each one recorded as answered");
            Assert.That(latest.Count, Is.GreaterThan(1), "in more than one slice");
            Assert.That(latest.Max(r => r.Message.Value?.Length ?? 0), Is.LessThan(256 * 1024), "a record stays far below the broker's 1 MB limit");
        });
    }
}
