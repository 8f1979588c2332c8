using System.Globalization;

namespace InviteStream.Engagement.Dispatch;

/// <summary>
/// Reads the rate-limit headers: <c>Retry-After</c> (seconds or HTTP date; Genesys and the guide) and
/// the guide's <c>X-RateLimit-Remaining</c> / <c>X-RateLimit-Reset</c> (Unix seconds).
/// </summary>
internal static class RateLimitHeaders
{
    public static DateTimeOffset? RetryAt(HttpResponseMessage response, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var retryAfter = response.Headers.RetryAfter;
        DateTimeOffset? at = retryAfter switch
        {
            { Delta: { } delta } => now + delta,
            { Date: { } date } => date,
            _ => null,
        };

        if (Remaining(response) == 0 && ResetAt(response, time) is { } reset && (at is null || reset > at))
        {
            at = reset;
        }

        return at;
    }

    public static long? Remaining(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-RateLimit-Remaining", out var values)
        && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var remaining)
            ? remaining
            : null;

    public static DateTimeOffset? ResetAt(HttpResponseMessage response, TimeProvider time)
    {
        if (!response.Headers.TryGetValues("X-RateLimit-Reset", out var values)
            || !long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var reset))
        {
            return null;
        }

        // Some gateways send seconds-until-reset instead of an epoch; anything small is a delta.
        return reset < 1_000_000_000
            ? time.GetUtcNow() + TimeSpan.FromSeconds(reset)
            : DateTimeOffset.FromUnixTimeSeconds(reset);
    }
}
