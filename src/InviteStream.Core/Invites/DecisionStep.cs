using InviteStream.Core.Outcomes;

namespace InviteStream.Core.Invites;

/// <summary>What deciding an event led to: its outcome, an invite to dispatch, or nothing to publish (it matched no campaign).</summary>
public readonly record struct DecisionStep(InviteOutcome? Outcome, InviteTrigger? Trigger)
{
    public static DecisionStep Nothing => default;
}
