using InviteStream.Engagement.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace InviteStream.IntegrationTests;

/// <summary>N replicas together never exceed the configured rates: each takes its partitions' share.</summary>
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
        var firstLimits = first.Services.GetRequiredService<InviteRateLimits>();
        await PipelineHarness.WaitUntilAsync(() => firstLimits.Api.PermitLimit == 300, TimeSpan.FromSeconds(30), "the only worker has the whole budget");

        using var second = harness.BuildWorker(settings);
        await second.StartAsync();
        var secondLimits = second.Services.GetRequiredService<InviteRateLimits>();
        await PipelineHarness.WaitUntilAsync(
            () => firstLimits.Api.PermitLimit == 150 && secondLimits.Api.PermitLimit == 150,
            TimeSpan.FromSeconds(60),
            "each of two workers owns two of four partitions and half the budget");

        await second.StopAsync();
        await PipelineHarness.WaitUntilAsync(() => firstLimits.Api.PermitLimit == 300, TimeSpan.FromSeconds(60), "the remaining worker takes the whole budget back");
        await first.StopAsync();
    }
}
