using InviteStream.Core.Campaigns;
using InviteStream.Engagement;
using InviteStream.Host.Operations;
using InviteStream.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace InviteStream.Host;

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
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
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

    public static IHost Build(HostApplicationBuilder builder, CampaignSet campaigns)
    {
        builder.Services.AddSingleton(campaigns);
        // Operations first: hosted services start in order, and probes must answer (not ready)
        // while the pipeline checks topics, joins its group and restores state.
        builder.AddOperations();
        builder.AddEngagement();
        builder.AddInvitePipeline();
        return builder.Build();
    }
}
