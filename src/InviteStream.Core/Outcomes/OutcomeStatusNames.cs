namespace InviteStream.Core.Outcomes;

public static class OutcomeStatusNames
{
    public static string ToWire(OutcomeStatus status) => status switch
    {
        OutcomeStatus.Delivered => "delivered",
        OutcomeStatus.Suppressed => "suppressed",
        OutcomeStatus.Throttled => "throttled",
        OutcomeStatus.Expired => "expired",
        OutcomeStatus.Rejected => "rejected",
        OutcomeStatus.Failed => "failed",
        OutcomeStatus.NotEligible => "not_eligible",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}
