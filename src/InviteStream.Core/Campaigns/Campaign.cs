using System.Text.Json;
using InviteStream.Core.Filters;

namespace InviteStream.Core.Campaigns;

/// <summary>A campaign definition, in the guide's schema plus an <c>id</c>.</summary>
/// <param name="Definition">The file's JSON as read, for pushing the campaign to the engagement API.</param>
public sealed record Campaign(
    string Id,
    string Name,
    bool Enabled,
    string EvaluationMode,
    IReadOnlyList<Filter> Filters,
    IReadOnlyList<CampaignAction> Actions,
    Throttling Throttling,
    JsonElement Definition)
{
    /// <summary>The campaign's rank: its best (lowest) action priority; 1 is the highest.</summary>
    public int Priority { get; } = Actions.Count == 0 ? int.MaxValue : Actions.Min(a => a.Priority);
}
