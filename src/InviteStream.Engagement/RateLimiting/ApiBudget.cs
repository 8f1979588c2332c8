using InviteStream.Core.Dispatch;
using InviteStream.Core.RateLimiting;
using Microsoft.Extensions.Options;

namespace InviteStream.Engagement.RateLimiting;

/// <summary>
/// The engagement API client's budget (<c>Engagement:ApiRequestsPerMinute</c>, the budget of one
/// OAuth client) as this instance's share of it: one rolling-window limiter shared by every
/// partition and thread, whose cap follows the share of the dispatch work this instance owns.
/// </summary>
public sealed class ApiBudget : IDispatchCapacity, IApiGrants, IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    public ApiBudget(IOptions<EngagementOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        RequestsPerMinute = options.Value.ApiRequestsPerMinute;
        Limiter = new RollingWindowRateLimiter(RequestsPerMinute, Window, time);
    }

    public int RequestsPerMinute { get; }

    public RollingWindowRateLimiter Limiter { get; }

    public IReadOnlyList<DateTimeOffset> RecentGrants => Limiter.RecentGrants;

    // Recorded to the millisecond: counted until a millisecond later, never less.
    public void Restore(IEnumerable<DateTimeOffset> grants) => Limiter.Restore(grants.Select(g => g.AddMilliseconds(1)));

    /// <summary>
    /// Sets this instance's share of the budget (the dispatch partitions it owns ÷ all of them), so
    /// N replicas sharing one OAuth client together never exceed it. Called on every rebalance.
    /// </summary>
    public void SetShare(int assignedPartitions, int totalPartitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(totalPartitions, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(assignedPartitions);

        // Rounded down so the shares never add up to more than the budget, but at least one permit.
        Limiter.SetPermitLimit(Math.Max(1, (int)Math.Floor(RequestsPerMinute * (double)assignedPartitions / totalPartitions)));
    }

    public void Dispose() => Limiter.Dispose();
}
