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
        OutcomeStatus.WouldDeliver => "would_deliver",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static bool TryParse(string name, out OutcomeStatus status)
    {
        foreach (var candidate in Enum.GetValues<OutcomeStatus>())
        {
            if (string.Equals(ToWire(candidate), name, StringComparison.Ordinal))
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }
}
