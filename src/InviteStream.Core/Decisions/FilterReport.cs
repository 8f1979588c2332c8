using InviteStream.Core.Filters;

namespace InviteStream.Core.Decisions;

/// <summary>The result of one filter of one campaign for one event.</summary>
public readonly record struct FilterReport(string CampaignId, string AttributeName, FilterResult Result)
{
    public override string ToString() => $"{CampaignId}:{AttributeName}={Result}";
}
