namespace InviteStream.Core.Outcomes;

/// <summary>The status of an outcome record. Wire names are lower case.</summary>
public enum OutcomeStatus
{
    Delivered,
    Suppressed,
    Throttled,
    Expired,
    Rejected,
    Failed,
    NotEligible,

    /// <summary>A replay's invite that would have been sent (a dry run has no engine to deliver it).</summary>
    WouldDeliver,
}
