using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace InviteStream.Simulator;

/// <summary>Applies the current <see cref="SimulatorFaults"/> to one call.</summary>
internal sealed class FaultInjector(SimulatorFaults initial, TimeProvider time)
{
    private readonly Lock _lock = new();
    private SimulatorFaults _faults = initial.Copy();

    public SimulatorFaults Current
    {
        get
        {
            lock (_lock)
            {
                return _faults.Copy();
            }
        }

        set
        {
            lock (_lock)
            {
                _faults = value.Copy();
            }
        }
    }

    /// <summary>Delays, hangs or answers for the API; null when the call should be served normally.</summary>
    public async Task<IResult?> ApplyAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        var faults = Current;
        if (faults.LatencyMax > TimeSpan.Zero)
        {
            var spread = Math.Max(0, (faults.LatencyMax - faults.LatencyMin).TotalMilliseconds);
            await Task.Delay(faults.LatencyMin + TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * spread), time, cancellationToken);
        }

        if (faults.Hang)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken);
        }

        if (faults.RateLimitStorm)
        {
            return RateLimited(response, faults.RateLimitStyle, faults.RetryAfterSeconds);
        }

        if (TakeFailNext() || (faults.ErrorRate > 0 && Random.Shared.NextDouble() < faults.ErrorRate))
        {
            return Results.Json(new { code = "service.unavailable", message = "injected fault" }, statusCode: faults.ErrorStatus);
        }

        return null;
    }

    /// <summary>Takes one of the pending partial-success segment calls, if any.</summary>
    public bool TakeUnprocessedSegmentCall()
    {
        lock (_lock)
        {
            if (_faults.UnprocessedSegmentCalls <= 0)
            {
                return false;
            }

            _faults.UnprocessedSegmentCalls--;
            return true;
        }
    }

    public IResult RateLimited(HttpResponse response, string style, int retryAfterSeconds)
    {
        var retryAt = time.GetUtcNow().AddSeconds(retryAfterSeconds);
        switch (style)
        {
            case "RetryAfterDate":
                response.Headers.RetryAfter = retryAt.ToString("r", CultureInfo.InvariantCulture);
                break;
            case "RateLimitReset":
                response.Headers["X-RateLimit-Remaining"] = "0";
                response.Headers["X-RateLimit-Reset"] = retryAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                break;
            default:
                response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                break;
        }

        // Genesys' body: the code, a message, the status, and which limit was hit.
        return Results.Json(
            new { code = "too.many.requests.retry.after", message = "Rate limit exceeded the maximum. Retry the request in a few seconds", status = 429, limit = new { key = "requests.per.minute", @namespace = "api", value = 300 } },
            statusCode: 429);
    }

    private bool TakeFailNext()
    {
        lock (_lock)
        {
            if (_faults.FailNext <= 0)
            {
                return false;
            }

            _faults.FailNext--;
            return true;
        }
    }
}
