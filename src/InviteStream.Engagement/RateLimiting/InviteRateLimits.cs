using System.Collections.Concurrent;
using InviteStream.Core.Campaigns;
using InviteStream.Core.Dispatch;
using Microsoft.Extensions.Options;

namespace InviteStream.Engagement.RateLimiting;

/// <summary>
/// The process-wide limiters: one per campaign at its <c>maxInvitesPerMinute</c>, and one for the
/// whole API client. Shared by every partition and thread.
/// </summary>
public sealed class InviteRateLimits : IDispatchCapacity, IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, (int ConfiguredRate, RollingWindowRateLimiter Limiter)> _campaigns = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private double _share = 1.0;

    public InviteRateLimits(IOptions<EngagementOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        ApiRequestsPerMinute = options.Value.ApiRequestsPerMinute;
        Api = new RollingWindowRateLimiter(ApiRequestsPerMinute, Window, time);
    }

    public int ApiRequestsPerMinute { get; }

    public RollingWindowRateLimiter Api { get; }

    /// <summary>The campaign limiters created so far (a campaign's limiter exists from its first invite).</summary>
    public IEnumerable<(string CampaignId, RollingWindowRateLimiter Limiter)> Campaigns =>
        _campaigns.Select(c => (c.Key, c.Value.Limiter));

    public RollingWindowRateLimiter For(Campaign campaign)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        return _campaigns.GetOrAdd(
            campaign.Id,
            static (_, state) =>
            {
                var rate = state.campaign.Throttling.MaxInvitesPerMinute;
                return (rate, new RollingWindowRateLimiter(Shared(rate, state.self._share), Window, state.self._time));
            },
            (campaign, self: this)).Limiter;
    }

    /// <summary>
    /// Sets this instance's share of every rate (its assigned input partitions ÷ all partitions), so
    /// N replicas together never exceed the configured caps. Called on every rebalance.
    /// </summary>
    public void SetShare(int assignedPartitions, int totalPartitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(totalPartitions, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(assignedPartitions);
        _share = (double)assignedPartitions / totalPartitions;
        Api.SetPermitLimit(Shared(ApiRequestsPerMinute, _share));
        foreach (var (configuredRate, limiter) in _campaigns.Values)
        {
            limiter.SetPermitLimit(Shared(configuredRate, _share));
        }
    }

    public void Dispose()
    {
        Api.Dispose();
        foreach (var (_, limiter) in _campaigns.Values)
        {
            limiter.Dispose();
        }
    }

    // Rounded down so the shares never add up to more than the cap, but at least one permit.
    private static int Shared(int rate, double share) => Math.Max(1, (int)Math.Floor(rate * share));
}
