using System.CommandLine;
using InviteStream.Core.Campaigns;
using InviteStream.Engagement;
using InviteStream.Engagement.Campaigns;
using Microsoft.Extensions.DependencyInjection;

namespace InviteStream.Commands;

/// <summary><c>campaigns sync [--dry-run]</c>: creates or updates the API's campaigns from the campaign files.</summary>
internal static class CampaignsCommand
{
    public static Command Create()
    {
        var campaigns = CommonOptions.Campaigns();
        var dryRun = new Option<bool>("--dry-run") { Description = "Show what would change without changing anything." };
        var sync = new Command("sync", "Create or update the engagement API's campaigns from the campaign files (Engagement:* settings).")
        {
            campaigns, dryRun,
        };
        sync.TreatUnmatchedTokensAsErrors = false;
        sync.SetAction((result, cancellationToken) =>
            SyncAsync(result.GetValue(campaigns), result.GetValue(dryRun), result.UnmatchedTokens, Console.Out, Console.Error, cancellationToken));
        return new Command("campaigns", "Manage campaign definitions at the engagement API.") { sync };
    }

    public static async Task<int> SyncAsync(
        DirectoryInfo? campaignDirectory, bool dryRun, IReadOnlyList<string> settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var builder = WorkerHost.CreateBuilder(settings);
        var local = CommonOptions.LoadCampaigns(campaignDirectory, builder.Configuration["Campaigns:Directory"], error);
        if (local is null)
        {
            return ExitCodes.InvalidCampaigns;
        }

        // Nothing embedded here: every Engagement setting must be given.
        var failures = SettingsCheck.Failures(builder.Configuration, new Dictionary<string, string?>(), checking => checking.AddEngagement());
        if (!SettingsCheck.Passes(failures, error))
        {
            return ExitCodes.InvalidConfiguration;
        }

        builder.AddEngagement();
        using var host = builder.Build();
        var client = host.Services.GetRequiredService<CampaignSyncClient>();

        var changes = CampaignDiff.Compare(local, await client.GetRemoteAsync(cancellationToken));
        foreach (var change in changes)
        {
            output.WriteLine($"{Describe(change.Kind),-12} {change.CampaignId}");
            if (!dryRun && change.Kind is CampaignChangeKind.Create or CampaignChangeKind.Update)
            {
                await client.UpsertAsync(local.Campaigns.Single(c => c.Id == change.CampaignId), cancellationToken);
            }
        }

        var writes = changes.Count(c => c.Kind is CampaignChangeKind.Create or CampaignChangeKind.Update);
        output.WriteLine(dryRun ? $"Dry run: {writes} campaign(s) would be written." : $"{writes} campaign(s) written.");
        return ExitCodes.Success;
    }

    private static string Describe(CampaignChangeKind kind) => kind switch
    {
        CampaignChangeKind.Create => "create",
        CampaignChangeKind.Update => "update",
        CampaignChangeKind.Unchanged => "unchanged",
        _ => "remote-only",
    };
}
