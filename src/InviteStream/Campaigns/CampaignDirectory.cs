using InviteStream.Core.Campaigns;

namespace InviteStream.Host.Campaigns;

/// <summary>Loads every <c>*.json</c> campaign file of a directory, collecting every problem of every file.</summary>
internal static class CampaignDirectory
{
    /// <summary>
    /// The folder used when none is configured: <c>deploy/campaigns</c> under the working directory
    /// (running from a clone), else the copy shipped next to the executable.
    /// </summary>
    public static string Default()
    {
        var fromClone = Path.Combine(Environment.CurrentDirectory, "deploy", "campaigns");
        return Directory.Exists(fromClone) ? fromClone : Path.Combine(AppContext.BaseDirectory, "campaigns");
    }

    public static (CampaignSet Campaigns, IReadOnlyList<CampaignDiagnostic> Diagnostics) Load(string directory)
    {
        var diagnostics = new List<CampaignDiagnostic>();
        var campaigns = new List<Campaign>();
        if (!Directory.Exists(directory))
        {
            diagnostics.Add(new(DiagnosticSeverity.Error, directory, "$", "campaign directory not found"));
            return (new CampaignSet(campaigns), diagnostics);
        }

        var files = Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            diagnostics.Add(new(DiagnosticSeverity.Error, directory, "$", "no *.json campaign files found"));
        }

        foreach (var file in files)
        {
            var (campaign, found) = CampaignReader.Read(File.ReadAllText(file), Path.GetFileName(file));
            diagnostics.AddRange(found);
            if (campaign is null)
            {
                continue;
            }

            if (campaigns.FirstOrDefault(c => c.Id == campaign.Id) is { } clash)
            {
                diagnostics.Add(new(DiagnosticSeverity.Error, Path.GetFileName(file), "$.id", $"duplicate campaign id '{campaign.Id}' (also in another file)"));
                continue;
            }

            campaigns.Add(campaign);
        }

        return (new CampaignSet(campaigns), diagnostics);
    }
}
