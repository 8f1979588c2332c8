using System.CommandLine;
using InviteStream.Host.Embedded;
using InviteStream.Kafka.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace InviteStream.Host.Commands;

/// <summary><c>run</c>: the worker, until SIGINT/SIGTERM.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var campaigns = CommonOptions.Campaigns();
        var command = new Command("run", "Run the worker until Ctrl+C or SIGTERM (the default verb). Settings: --Section:Key=value.")
        {
            campaigns,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((result, cancellationToken) =>
            RunAsync(result.GetValue(campaigns), result.UnmatchedTokens, Console.Out, Console.Error, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(
        DirectoryInfo? campaignDirectory, IReadOnlyList<string> settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var builder = WorkerHost.CreateBuilder(settings);
        var campaigns = CommonOptions.LoadCampaigns(campaignDirectory, builder.Configuration["Campaigns:Directory"], error);
        if (campaigns is null)
        {
            return ExitCodes.InvalidCampaigns;
        }

        await using var infrastructure = await EmbeddedInfrastructure.StartAsync(builder.Configuration, campaigns, output, cancellationToken);
        using var host = WorkerHost.Build(builder, campaigns);
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (OptionsValidationException ex)
        {
            error.WriteLine($"Invalid configuration: {string.Join("; ", ex.Failures)}");
            return ExitCodes.InvalidConfiguration;
        }
        catch (TopicLayoutException ex)
        {
            error.WriteLine($"Refusing to start: {ex.Message}");
            return ExitCodes.InvalidTopics;
        }

        output.WriteLine($"InviteStream worker running with {campaigns.Campaigns.Count} campaign(s); Ctrl+C to stop.");
        await host.WaitForShutdownAsync(CancellationToken.None);
        return ExitCodes.Success;
    }
}
