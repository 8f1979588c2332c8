namespace InviteStream.Core.Campaigns;

/// <summary>
/// Reads a set of campaign files (name and JSON text; the caller does the I/O) and checks them
/// together: every problem of every file, plus ids used twice.
/// </summary>
public static class CampaignCatalog
{
    public static (CampaignSet Campaigns, IReadOnlyList<CampaignDiagnostic> Diagnostics) Read(IEnumerable<(string Source, string Json)> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var diagnostics = new List<CampaignDiagnostic>();
        var campaigns = new List<Campaign>();
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (source, json) in files)
        {
            var (campaign, found) = CampaignReader.Read(json, source);
            diagnostics.AddRange(found);
            if (campaign is null)
            {
                continue;
            }

            if (sources.TryGetValue(campaign.Id, out var first))
            {
                diagnostics.Add(new(DiagnosticSeverity.Error, source, "$.id", $"duplicate campaign id '{campaign.Id}' (already defined in {first})"));
                continue;
            }

            sources[campaign.Id] = source;
            campaigns.Add(campaign);
        }

        return (new CampaignSet(campaigns), diagnostics);
    }
}
