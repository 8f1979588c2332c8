using InviteStream.Core.Dispatch;

namespace InviteStream.Engagement.Dispatch;

/// <summary>An adapter's answer: a final result, or "rate limited, try again at <see cref="RetryAt"/>".</summary>
/// <param name="BudgetResetAt">Set when the API said its budget is spent; nothing should be sent before it.</param>
public sealed record AdapterResponse(DispatchResult? Result, DateTimeOffset? RetryAt = null, DateTimeOffset? BudgetResetAt = null)
{
    public bool IsRateLimited => Result is null;

    public static AdapterResponse Final(DispatchResult result) => new(result);

    public static AdapterResponse RateLimited(DateTimeOffset retryAt) => new(null, retryAt, retryAt);
}
