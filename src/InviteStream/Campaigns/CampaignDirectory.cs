using InviteStream.Core.Campaigns;

namespace InviteStream.Campaigns;

/// <summary>Reads the <c>*.json</c> campaign files of a directory; the checks are the core's <see cref="CampaignCatalog"/>.</summary>
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
        if (!Directory.Exists(directory))
        {
            return (new CampaignSet([]), [new(DiagnosticSeverity.Error, directory, "$", "campaign directory not found")]);
        }

        var files = Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            return (new CampaignSet([]), [new(DiagnosticSeverity.Error, directory, "$", "no *.json campaign files found")]);
        }

        return CampaignCatalog.Read(files.Select(f => (Path.GetFileName(f), File.ReadAllText(f))));
    }
}
