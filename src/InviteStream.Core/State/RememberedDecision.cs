using InviteStream.Core.Events;
using InviteStream.Core.Outcomes;

namespace InviteStream.Core.State;

/// <summary>
/// The outcome already published for an event, kept with the contact's state until every record it
/// could be decided again from is committed: an event read again (after a crash) gets this same
/// answer instead of a new decision.
/// </summary>
/// <param name="ReadFrom">The record the outcome was published from: the event's own, or its invite's dispatch result.</param>
/// <param name="DecidedFrom">
/// For an outcome published from a dispatch result, the record the event that decided the invite was
/// read from. Its offset may be committed long after the result's (an earlier event of the partition
/// holds it back), and read again before that the event must find its answer here, not decide anew
/// on a state that already counts its own invite.
/// </param>
public sealed record RememberedDecision(
    string RequestId,
    OutcomeStatus Status,
    string? CampaignId,
    string? Reason,
    DateTimeOffset? SuppressedUntil,
    DateTimeOffset DecidedAt,
    double DecisionLatencyMs,
    EventOrigin ReadFrom,
    EventOrigin? DecidedFrom = null)
{
    /// <summary>Whether no record this outcome answers can be read again, by <paramref name="committed"/>.</summary>
    public bool IsSettledBy(Func<EventOrigin, bool> committed)
    {
        ArgumentNullException.ThrowIfNull(committed);
        return committed(ReadFrom) && (DecidedFrom is not { } decidedFrom || committed(decidedFrom));
    }
}
