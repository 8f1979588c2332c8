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

            // Ids are checked for every file that names one, valid or not: every problem at once.
            var id = campaign?.Id ?? CampaignReader.IdOf(json);
            if (id is not null && sources.TryGetValue(id, out var first))
            {
                diagnostics.Add(new(DiagnosticSeverity.Error, source, "$.id", $"duplicate campaign id '{id}' (already defined in {first})"));
                continue;
            }

            if (id is not null)
            {
                sources[id] = source;
            }

            if (campaign is not null)
            {
                campaigns.Add(campaign);
            }
        }

        return (new CampaignSet(campaigns), diagnostics);
    }
}
