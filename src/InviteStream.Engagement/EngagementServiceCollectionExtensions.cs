using InviteStream.Core.Dispatch;
using InviteStream.Engagement.Authentication;
using InviteStream.Engagement.Campaigns;
using InviteStream.Engagement.Dispatch;
using InviteStream.Engagement.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;

using InviteStream.Configuration;

namespace InviteStream.Engagement;

public static class EngagementServiceCollectionExtensions
{
    /// <summary>Registers the engagement API client: options, OAuth, limiters and the dispatcher.</summary>
    public static IHostApplicationBuilder AddEngagement(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        // Region first: a bad one makes no URL, so it is the only message about where the API is.
        services.AddOptions<EngagementOptions>()
            .BindSettings(builder.Configuration, EngagementOptions.SectionName)
            .Validate(o => o.RegionIsDomain, "Engagement:Region must be a Genesys Cloud region's domain, such as mypurecloud.com, mypurecloud.ie, euw2.pure.cloud or mypurecloud.com.au (lower case, no scheme, no api. or login. prefix).")
            .Validate(o => o.BaseUrl is null || o.BaseUrl.IsAbsoluteUri, "Engagement:BaseUrl must be an absolute http(s) URL.")
            .Validate(o => o.EffectiveBaseUrl is not null, "Engagement:Region (e.g. mypurecloud.com) or Engagement:BaseUrl is required.")
            .Validate(o => !string.IsNullOrEmpty(o.ClientId), "Engagement:ClientId is required.")
            .Validate(o => !string.IsNullOrEmpty(o.ClientSecret), "Engagement:ClientSecret is required.")
            .Validate(o => EngagementOptions.IdentifierTypes.Contains(o.ContactIdentifierType), $"Engagement:ContactIdentifierType must be one of {string.Join(", ", EngagementOptions.IdentifierTypes)}.")
            .Validate(o => o.Api != EngagementApi.JourneySegments || o.SegmentIds.Count > 0, "Engagement:SegmentIds must map campaign ids to journey segment ids when Engagement:Api is JourneySegments.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ApiBudget>();
        services.AddMetrics();
        services.AddSingleton(sp => new EngagementMetrics(
            sp.GetRequiredService<ApiBudget>(), sp.GetService<System.Diagnostics.Metrics.IMeterFactory>(), sp.GetRequiredService<DispatchHealth>()));
        services.AddSingleton<IDispatchCapacity>(sp => sp.GetRequiredService<ApiBudget>());
        services.AddSingleton<IApiGrants>(sp => sp.GetRequiredService<ApiBudget>());
        services.AddSingleton<PermitWait>();
        services.AddSingleton<IPermitWaits>(sp => sp.GetRequiredService<PermitWait>());
        // One provider for the process: one cached token, one refresh at a time.
        services.AddHttpClient(nameof(AccessTokenProvider), (sp, http) =>
            http.Timeout = sp.GetRequiredService<IOptions<EngagementOptions>>().Value.RequestTimeout);
        services.AddSingleton(sp => new AccessTokenProvider(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(AccessTokenProvider)),
            sp.GetRequiredService<IOptions<EngagementOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AccessTokenProvider>>()));
        services.AddHostedService<AccessTokenWarmUp>();

        // Attempts are timed by the resilience pipeline, not by HttpClient.
        // No per-request log lines or scopes: one trigger per event would flood the log, and the
        // dispatcher logs what matters (failures, throttling) itself.
        services.AddHttpClient(nameof(IEngagementAdapter), (sp, http) =>
        {
            http.BaseAddress = sp.GetRequiredService<IOptions<EngagementOptions>>().Value.EffectiveBaseUrl;
            http.Timeout = Timeout.InfiniteTimeSpan;
        })
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                MaxConnectionsPerServer = sp.GetRequiredService<IOptions<EngagementOptions>>().Value.MaxConnections,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            })
            .RemoveAllLoggers();
        services.AddSingleton(sp => new ExternalContactDirectory(sp.GetRequiredService<IOptions<EngagementOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IEngagementAdapter>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<EngagementOptions>>();
            var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(IEngagementAdapter));
            var tokens = sp.GetRequiredService<AccessTokenProvider>();
            var time = sp.GetRequiredService<TimeProvider>();
            return options.Value.Api == EngagementApi.JourneySegments
                ? new JourneySegmentAdapter(http, tokens, sp.GetRequiredService<ExternalContactDirectory>(), options, time)
                : new GuideApiAdapter(http, tokens, time);
        });
        services.AddSingleton<DispatchHealth>();
        services.AddResiliencePipeline<string, AdapterResponse>(DispatchResilience.PipelineName, (pipeline, context) => DispatchResilience.Configure(
            pipeline,
            context.ServiceProvider.GetRequiredService<IOptions<EngagementOptions>>().Value,
            context.ServiceProvider.GetRequiredService<TimeProvider>(),
            context.ServiceProvider.GetRequiredService<DispatchHealth>()));
        services.AddSingleton<IInviteDispatcher, InviteDispatcher>();
        services.AddSingleton(sp => new CampaignSyncClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(IEngagementAdapter)), sp.GetRequiredService<AccessTokenProvider>()));
        return builder;
    }
}
