namespace InviteStream.Core.Dispatch;

/// <summary>What the engagement API (or the limiter in front of it) answered for one invite.</summary>
public sealed record DispatchResult(DispatchStatus Status, string? Reason = null, DateTimeOffset? SuppressedUntil = null)
{
    public static DispatchResult Delivered { get; } = new(DispatchStatus.Delivered);
}
