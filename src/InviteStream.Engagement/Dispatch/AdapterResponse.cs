using InviteStream.Core.Dispatch;

namespace InviteStream.Engagement.Dispatch;

/// <summary>
/// An adapter's answer to one HTTP attempt: a final result, a transient failure worth retrying
/// (429, 408, 502, 503, 504) with the earliest time the API allows the retry, or a continuation:
/// the invite needs another call (see <see cref="DispatchProgress"/>).
/// </summary>
/// <param name="BudgetResetAt">Set when the API said its budget is spent; nothing should be sent before it.</param>
/// <param name="ReasonIfLast">For a continuation: the failure reason when no further attempt is allowed.</param>
/// <param name="Immediate">For a continuation: the next call follows at once (it is the next step, not a retry of this one).</param>
public sealed record AdapterResponse(
    DispatchResult? Result, int StatusCode, DateTimeOffset? RetryAt = null, DateTimeOffset? BudgetResetAt = null, string? ReasonIfLast = null, bool Immediate = false)
{
    public bool IsTransient => Result is null;

    /// <summary>Not a failure of the API: the invite's next step is another call.</summary>
    public bool IsContinuation => ReasonIfLast is not null;

    /// <summary>The call went through but the invite needs another: after a backoff (a re-send), or at once (<paramref name="immediate"/>: its next step).</summary>
    public static AdapterResponse Continue(int statusCode, string reasonIfLast, bool immediate = false) =>
        new(null, statusCode, ReasonIfLast: reasonIfLast, Immediate: immediate);

    public bool IsRateLimited => StatusCode == 429;

    public static AdapterResponse Final(DispatchResult result, int statusCode = 200) => new(result, statusCode);

    public static AdapterResponse Transient(int statusCode, DateTimeOffset? retryAt) =>
        new(null, statusCode, retryAt, statusCode == 429 ? retryAt : null);

    /// <summary>Whether an HTTP status is worth retrying: rate limited, request timeout, or a gateway/server hiccup.</summary>
    public static bool IsTransientStatus(int statusCode) => statusCode is 408 or 429 or 502 or 503 or 504;
}
