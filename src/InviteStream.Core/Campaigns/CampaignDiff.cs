using System.Text.Json;

namespace InviteStream.Core.Campaigns;

/// <summary>Compares the campaign files with the definitions the engagement API holds.</summary>
public static class CampaignDiff
{
    public static IReadOnlyList<CampaignChange> Compare(CampaignSet local, IReadOnlyDictionary<string, JsonElement> remote)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(remote);
        var changes = local.Campaigns
            .Select(c => new CampaignChange(
                c.Id,
                !remote.TryGetValue(c.Id, out var current) ? CampaignChangeKind.Create
                    : JsonElement.DeepEquals(current, c.Definition) ? CampaignChangeKind.Unchanged
                    : CampaignChangeKind.Update))
            .ToList();
        var localIds = local.Campaigns.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        changes.AddRange(remote.Keys.Where(id => !localIds.Contains(id)).Order(StringComparer.Ordinal)
            .Select(id => new CampaignChange(id, CampaignChangeKind.RemoteOnly)));
        return changes;
    }
}
