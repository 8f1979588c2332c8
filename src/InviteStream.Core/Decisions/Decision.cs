using InviteStream.Core.Campaigns;

namespace InviteStream.Core.Decisions;

/// <summary>What the core decided for one event, before any dispatch.</summary>
/// <param name="Campaign">The campaign the decision is about; null for <see cref="DecisionKind.NoMatch"/>.</param>
/// <param name="SuppressedUntil">For <see cref="DecisionKind.Suppressed"/>: the earliest time an invite could succeed.</param>
/// <param name="SuppressedByEngine">For <see cref="DecisionKind.Suppressed"/>: the engine's own suppression of the contact is what blocks it longest.</param>
/// <param name="SuppressedByOtherCampaign">For <see cref="DecisionKind.Suppressed"/>: another campaign's invite (consolidated suppression) is what blocks it longest.</param>
public sealed record Decision(DecisionKind Kind, Campaign? Campaign, DateTimeOffset? SuppressedUntil, bool SuppressedByEngine = false, bool SuppressedByOtherCampaign = false)
{
    public static Decision NoMatch { get; } = new(DecisionKind.NoMatch, null, null);
}
