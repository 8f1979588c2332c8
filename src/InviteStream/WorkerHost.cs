using InviteStream.Core.Campaigns;
using InviteStream.Embedded;
using InviteStream.Engagement;
using InviteStream.Kafka;
using InviteStream.Operations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace InviteStream;

/// <summary>
/// Builds the worker's generic host. Configuration, later sources winning: <c>appsettings.json</c>
/// (next to the executable), the verb's defaults, environment variables prefixed <c>INVITESTREAM__</c>
/// (e.g. <c>INVITESTREAM__Kafka__BootstrapServers</c>), then command-line
/// <c>--Section:Key=value</c> settings.
/// </summary>
internal static class WorkerHost
{
    public static HostApplicationBuilder CreateBuilder(IReadOnlyList<string> settings, IDictionary<string, string?>? defaults = null)
    {
        var args = settings.ToArray();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = "InviteStream",
        });
        if (defaults is not null)
        {
            builder.Configuration.AddInMemoryCollection(defaults);
        }

        builder.Configuration.AddEnvironmentVariables("INVITESTREAM__");
        builder.Configuration.AddCommandLine(args);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(45));
        return builder;
    }

    /// <param name="decorate">Changes to the registrations once everything is registered (e.g. a decorated service).</param>
    public static IHost Build(HostApplicationBuilder builder, CampaignSet campaigns, Action<IServiceCollection>? decorate = null)
    {
        Register(builder, campaigns);
        decorate?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>Every component of the worker, on the host that runs it or on the one <see cref="SettingsCheck"/> validates first.</summary>
    public static void Register(IHostApplicationBuilder builder, CampaignSet campaigns)
    {
        builder.Services.AddSingleton(campaigns);
        builder.AddEmbeddedSettings();
        // Operations first: hosted services start in order, and probes must answer (not ready)
        // while the pipeline checks topics, joins its group and restores state.
        builder.AddOperations();
        builder.AddEngagement();
        builder.AddInvitePipeline();
    }
}
