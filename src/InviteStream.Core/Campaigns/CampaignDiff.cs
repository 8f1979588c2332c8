using System.Text.Json;

namespace InviteStream.Core.Campaigns;

/// <summary>
/// Compares the campaign files with the definitions the engagement API holds. Only the fields a
/// campaign file writes are InviteStream's: fields the server adds to its copy (ids, links, dates,
/// versions) never make a campaign look changed.
/// </summary>
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
                    : OwnedFieldsEqual(c.Definition, current) ? CampaignChangeKind.Unchanged
                    : CampaignChangeKind.Update))
            .ToList();
        var localIds = local.Campaigns.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        changes.AddRange(remote.Keys.Where(id => !localIds.Contains(id)).Order(StringComparer.Ordinal)
            .Select(id => new CampaignChange(id, CampaignChangeKind.RemoteOnly)));
        return changes;
    }

    private static bool OwnedFieldsEqual(JsonElement local, JsonElement remote) =>
        remote.ValueKind == JsonValueKind.Object
        && local.EnumerateObject().All(field => remote.TryGetProperty(field.Name, out var theirs) && JsonElement.DeepEquals(field.Value, theirs));
}
