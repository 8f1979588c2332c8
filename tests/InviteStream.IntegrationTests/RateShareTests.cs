using InviteStream.Engagement.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace InviteStream.IntegrationTests;

/// <summary>N replicas sharing one OAuth client never exceed its budget together: each takes the share of the trigger partitions it dispatches.</summary>
[TestFixture]
public sealed class RateShareTests
{
    [Test]
    public async Task Two_workers_in_one_group_each_get_the_share_of_the_rates_their_partitions_carry()
    {
        await using var harness = await PipelineHarness.StartAsync(4, TestCampaigns.Guide());
        var settings = new Dictionary<string, string?> { ["Engagement:ApiRequestsPerMinute"] = "300" };

        using var first = harness.BuildWorker(settings);
        await first.StartAsync();
        var firstLimits = first.Services.GetRequiredService<ApiBudget>();
        await PipelineHarness.WaitUntilAsync(() => firstLimits.Limiter.PermitLimit == 300, TimeSpan.FromSeconds(30), "the only worker has the whole budget");

        using var second = harness.BuildWorker(settings);
        await second.StartAsync();
        var secondLimits = second.Services.GetRequiredService<ApiBudget>();
        await PipelineHarness.WaitUntilAsync(
            () => firstLimits.Limiter.PermitLimit == 150 && secondLimits.Limiter.PermitLimit == 150,
            TimeSpan.FromSeconds(60),
            "each of two workers dispatches two of four trigger partitions and has half the budget");

        await second.StopAsync();
        await PipelineHarness.WaitUntilAsync(() => firstLimits.Limiter.PermitLimit == 300, TimeSpan.FromSeconds(60), "the remaining worker takes the whole budget back");
        await first.StopAsync();
    }

    [Test]
    public async Task A_restarted_worker_starts_from_the_API_budget_its_predecessor_spent_not_a_full_one()
    {
        await using var harness = await PipelineHarness.StartAsync(4, TestCampaigns.Guide());
        var settings = new Dictionary<string, string?> { ["Engagement:ApiRequestsPerMinute"] = "10" };
        var now = TimeProvider.System.GetUtcNow();
        await harness.ProduceAsync(Enumerable.Range(0, 10).Select(i => ((string?)$"ext:a{i}", TestEvents.Event($"a{i}", $"ext:a{i}", now, churn: 0.9))));
        using (var first = harness.BuildWorker(settings))
        {
            await first.StartAsync();
            Assert.That(await harness.WaitForEveryInputDecidedAsync(TimeSpan.FromSeconds(60)), Is.Empty);
            await Task.Delay(TimeSpan.FromSeconds(1.5)); // The API budget's grants are recorded twice a second.
            await first.StopAsync();
        }

        await harness.ProduceAsync(Enumerable.Range(0, 5).Select(i => ((string?)$"ext:b{i}", TestEvents.Event($"b{i}", $"ext:b{i}", TimeProvider.System.GetUtcNow(), churn: 0.9))));
        using (var second = harness.BuildWorker(settings))
        {
            await second.StartAsync();
            Assert.That(await harness.WaitForEveryInputDecidedAsync(TimeSpan.FromSeconds(60)), Is.Empty);
            await second.StopAsync();
        }

        var afterRestart = harness.ReadOutcomes().Where(o => o.GetProperty("eventId").GetString()!.StartsWith('b')).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(harness.Simulator.State.Received, Has.Count.EqualTo(10), "the engine got no request over the minute's budget");
            Assert.That(afterRestart.Select(o => o.GetProperty("status").GetString()).Distinct(), Is.EqualTo(new[] { "throttled" }));
            Assert.That(afterRestart.Select(o => o.GetProperty("reason").GetString()).Distinct(), Is.EqualTo(new[] { "api_rate_limit" }), "the reason names the limit that refused");
        });
    }
}
