using InviteStream.Core.Campaigns;
using InviteStream.Host.Embedded;
using InviteStream.Host.Operations;
using InviteStream.Kafka.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace InviteStream.Host.Commands;

/// <summary>
/// The start-up both <c>run</c> and <c>demo</c> go through: campaigns loaded and checked, embedded
/// stand-ins for what is not configured, the host started. Either a running worker or the exit
/// code that says why not.
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

        var infrastructure = await EmbeddedInfrastructure.StartAsync(builder.Configuration, campaigns, output, cancellationToken);
        var host = WorkerHost.Build(builder, campaigns);
        var exitCode = ExitCodes.Success;
        try
        {
            // All settings first, all failures at once: hosted services resolve options as they are built.
            host.Services.GetService<IStartupValidator>()?.Validate();
            await host.StartAsync(cancellationToken);
            if (host.Services.GetRequiredService<HealthServer>().Address is { } health)
            {
                output.WriteLine($"Health endpoint: {health.GetLeftPart(UriPartial.Authority)}");
            }

            return (new StartedWorker(infrastructure, host, campaigns), ExitCodes.Success);
        }
        catch (Exception ex) when (InvalidSettings(ex) is { Count: > 0 } failures)
        {
            foreach (var failure in failures)
            {
                error.WriteLine($"Invalid configuration: {failure}");
            }

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

    // Every failed check of every options class, and values the binder could not convert.
    private static List<string> InvalidSettings(Exception exception) => exception switch
    {
        OptionsValidationException validation => [.. validation.Failures],
        AggregateException aggregate => [.. aggregate.InnerExceptions.SelectMany(InvalidSettings)],
        InvalidOperationException conversion when conversion.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) =>
            [conversion.Message],
        _ => [],
    };

    public async ValueTask DisposeAsync()
    {
        Host.Dispose();
        await Infrastructure.DisposeAsync();
    }
}
