using InviteStream.Core.Dispatch;
using InviteStream.Engagement.Authentication;
using InviteStream.Engagement.Dispatch;
using InviteStream.Engagement.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace InviteStream.Engagement;

public static class EngagementServiceCollectionExtensions
{
    /// <summary>Registers the engagement API client: options, OAuth, limiters and the dispatcher.</summary>
    public static IHostApplicationBuilder AddEngagement(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<EngagementOptions>()
            .Bind(builder.Configuration.GetSection(EngagementOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.BaseUrl is { IsAbsoluteUri: true }, "Engagement:BaseUrl must be an absolute http(s) URL.")
            .Validate(o => !string.IsNullOrEmpty(o.ClientId), "Engagement:ClientId is required.")
            .Validate(o => !string.IsNullOrEmpty(o.ClientSecret), "Engagement:ClientSecret is required.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<InviteRateLimits>();
        services.AddHttpClient<AccessTokenProvider>((sp, http) =>
            http.Timeout = sp.GetRequiredService<IOptions<EngagementOptions>>().Value.RequestTimeout);
        services.AddHttpClient<IEngagementAdapter, GuideApiAdapter>((sp, http) =>
        {
            var options = sp.GetRequiredService<IOptions<EngagementOptions>>().Value;
            http.BaseAddress = options.BaseUrl;
            http.Timeout = options.RequestTimeout;
        });
        services.AddSingleton<IInviteDispatcher, RateLimitedDispatcher>();
        return builder;
    }
}
