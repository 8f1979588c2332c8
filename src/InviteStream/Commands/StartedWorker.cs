using InviteStream.Core.Campaigns;
using InviteStream.Embedded;
using InviteStream.Kafka.Pipeline;
using InviteStream.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace InviteStream.Commands;

/// <summary>
/// The start-up both <c>run</c> and <c>demo</c> go through: campaigns loaded and checked, every
/// setting checked, embedded stand-ins for what is not configured, the host started. Either a
/// running worker or the exit code that says why not.
/// </summary>
internal sealed class StartedWorker : IAsyncDisposable
{
    private StartedWorker(EmbeddedInfrastructure infrastructure, IHost host, CampaignSet campaigns)
    {
        Infrastructure = infrastructure;
        Host = host;
        Campaigns = campaigns;
    }

    public EmbeddedInfrastructure Infrastructure { get; }

    public IHost Host { get; }

    public CampaignSet Campaigns { get; }

    public static async Task<(StartedWorker? Worker, int ExitCode)> StartAsync(
        DirectoryInfo? campaignDirectory,
        IReadOnlyList<string> settings,
        IDictionary<string, string?>? defaults,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken)
    {
        var builder = WorkerHost.CreateBuilder(settings, defaults);
        var campaigns = CommonOptions.LoadCampaigns(campaignDirectory, builder.Configuration["Campaigns:Directory"], error);
        if (campaigns is null)
        {
            return (null, ExitCodes.InvalidCampaigns);
        }

        var failures = SettingsCheck.Failures(
            builder.Configuration, EmbeddedInfrastructure.Placeholders(builder.Configuration), checking => WorkerHost.Register(checking, campaigns));
        if (!SettingsCheck.Passes(failures, error))
        {
            return (null, ExitCodes.InvalidConfiguration);
        }

        var infrastructure = await EmbeddedInfrastructure.StartAsync(builder.Configuration, campaigns, output, cancellationToken);
        var host = WorkerHost.Build(builder, campaigns);
        var exitCode = ExitCodes.Success;
        try
        {
            // Checked once more with the stand-ins' real values: hosted services resolve options as they are built.
            host.Services.GetService<IStartupValidator>()?.Validate();
            await host.StartAsync(cancellationToken);
            if (host.Services.GetRequiredService<HealthServer>().Address is { } health)
            {
                output.WriteLine($"Health endpoint: {health.GetLeftPart(UriPartial.Authority)}");
            }

            return (new StartedWorker(infrastructure, host, campaigns), ExitCodes.Success);
        }
        catch (Exception ex) when (SettingsCheck.Of(ex) is { Count: > 0 } invalid)
        {
            SettingsCheck.Passes(invalid, error);
            exitCode = ExitCodes.InvalidConfiguration;
        }
        catch (TopicLayoutException ex)
        {
            error.WriteLine($"Refusing to start: {ex.Message}");
            exitCode = ExitCodes.InvalidTopics;
        }

        host.Dispose();
        await infrastructure.DisposeAsync();
        return (null, exitCode);
    }

    public async ValueTask DisposeAsync()
    {
        Host.Dispose();
        await Infrastructure.DisposeAsync();
    }
}
