namespace InviteStream.Core.Dispatch;

public enum DispatchStatus
{
    Delivered,
    Suppressed,
    NotEligible,
    Throttled,
    Failed,
}
