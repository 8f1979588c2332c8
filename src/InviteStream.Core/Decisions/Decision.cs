using InviteStream.Core.Campaigns;

namespace InviteStream.Core.Decisions;

/// <summary>What the core decided for one event, before any dispatch.</summary>
/// <param name="Campaign">The campaign the decision is about; null for <see cref="DecisionKind.NoMatch"/>.</param>
/// <param name="FilterReports">Per-filter results of the campaigns that did not match (evaluation order).</param>
public sealed record Decision(
    DecisionKind Kind,
    Campaign? Campaign,
    DateTimeOffset? SuppressedUntil,
    IReadOnlyList<FilterReport> FilterReports);
