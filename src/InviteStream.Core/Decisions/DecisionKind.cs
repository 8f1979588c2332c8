namespace InviteStream.Core.Decisions;

public enum DecisionKind
{
    /// <summary>No enabled campaign's filters all matched.</summary>
    NoMatch,

    /// <summary>A campaign matched and no cooldown applies: dispatch an invite.</summary>
    Invite,

    /// <summary>Every matching campaign is inside a cooldown for this contact.</summary>
    Suppressed,

    /// <summary>A campaign matched but the event is older than the maximum event age.</summary>
    Expired,
}
