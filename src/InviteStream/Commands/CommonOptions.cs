using System.CommandLine;
using InviteStream.Campaigns;
using InviteStream.Configuration;
using InviteStream.Core.Campaigns;
using Microsoft.Extensions.Configuration;

namespace InviteStream.Commands;

internal static class CommonOptions
{
    public static Option<DirectoryInfo?> Campaigns() => new("--campaigns")
    {
        HelpName = "dir",
        Description = "Folder of campaign *.json files (default: deploy/campaigns, or Campaigns:Directory).",
    };

    /// <summary>
    /// A settings section read and checked as the worker checks it at start (values of the wrong
    /// type, data annotations), for verbs that run no host; prints every failure; null when any.
    /// </summary>
    public static TOptions? ReadSettings<TOptions>(IConfiguration configuration, string section, TextWriter error)
        where TOptions : class, new()
    {
        var settings = configuration.GetSection(section);
        var options = SettingsConversion.Read<TOptions>(settings);
        var result = new SettingsValidator<TOptions>(settings).Validate(null, options);
        if (!result.Failed)
        {
            return options;
        }

        foreach (var failure in result.Failures)
        {
            error.WriteLine($"Invalid setting: {failure}");
        }

        return null;
    }

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
