using InviteStream.Core.Dispatch;
using InviteStream.Core.RateLimiting;

namespace InviteStream.Engagement.RateLimiting;

/// <summary>Waits for one limiter's permit as one span and one measurement, whichever limiter it is.</summary>
internal sealed class PermitWait(EngagementMetrics metrics, TimeProvider time) : IPermitWaits
{
    /// <summary>A wait measured elsewhere (the campaign permits of the dispatch stage).</summary>
    public void Waited(string limiter, TimeSpan waited, bool granted) => metrics.LimiterWaited(limiter, waited.TotalMilliseconds);

    /// <summary>The request is queued in the limiter when this returns; the task says whether it was granted.</summary>
    public async ValueTask<bool> ForAsync(string limiterName, RollingWindowRateLimiter limiter, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        using var span = EngagementMetrics.Source.StartActivity(limiterName == "api" ? "api rate limit wait" : "campaign rate limit wait");
        var started = time.GetTimestamp();
        var granted = await limiter.AcquireAsync(deadline, cancellationToken);
        metrics.LimiterWaited(limiterName, time.GetElapsedTime(started).TotalMilliseconds);
        span?.SetTag("invitestream.permit_granted", granted);
        return granted;
    }
}
