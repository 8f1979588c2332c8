using System.CommandLine;
using InviteStream.Core.Campaigns;
using InviteStream.Host.Campaigns;

namespace InviteStream.Host.Commands;

internal static class CommonOptions
{
    public static Option<DirectoryInfo?> Campaigns() => new("--campaigns")
    {
        Description = "Folder of campaign *.json files (default: deploy/campaigns, or Campaigns:Directory).",
    };

    /// <summary>Loads and checks the campaigns; prints every diagnostic; null when any is an error.</summary>
    public static CampaignSet? LoadCampaigns(DirectoryInfo? option, string? configured, TextWriter error)
    {
        var directory = option?.FullName ?? (string.IsNullOrWhiteSpace(configured) ? CampaignDirectory.Default() : configured);
        var (campaigns, diagnostics) = CampaignDirectory.Load(directory);
        foreach (var diagnostic in diagnostics)
        {
            error.WriteLine(diagnostic);
        }

        if (diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            error.WriteLine($"Refusing to start: campaign definitions in {directory} have errors.");
            return null;
        }

        return campaigns;
    }
}
