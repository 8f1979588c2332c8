using InviteStream.Core.Events;
using InviteStream.Core.Outcomes;

namespace InviteStream.Core.State;

/// <summary>
/// The outcome already published for an event, kept with the contact's state until the record it
/// was decided from (<see cref="ReadFrom"/>) is committed: an event read again (after a crash) gets
/// this same answer instead of a new decision.
/// </summary>
public sealed record RememberedDecision(
    string RequestId,
    OutcomeStatus Status,
    string? CampaignId,
    string? Reason,
    DateTimeOffset? SuppressedUntil,
    DateTimeOffset DecidedAt,
    double DecisionLatencyMs,
    EventOrigin ReadFrom);
