using InviteStream.Configuration;
using InviteStream.Engagement;
using InviteStream.Kafka.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace InviteStream.Host.Operations;

internal static class OperationsExtensions
{
    /// <summary>OpenTelemetry (metrics always, with the Prometheus endpoint; spans when enabled) and the health server.</summary>
    public static IHostApplicationBuilder AddOperations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HealthOptions>()
            .Bind(builder.Configuration.GetSection(HealthOptions.SectionName))
            .ValidateSettings(HealthOptions.SectionName)
            .Validate(o => System.Net.IPAddress.TryParse(o.Host, out _), "Health:Host must be an IP address to listen on (0.0.0.0 for all).")
            .ValidateOnStart();
        builder.Services.AddOptions<TelemetryOptions>()
            .Bind(builder.Configuration.GetSection(TelemetryOptions.SectionName))
            .ValidateSettings(TelemetryOptions.SectionName)
            .Validate(o => o.OtlpEndpoint is null or { IsAbsoluteUri: true }, "Telemetry:OtlpEndpoint must be an absolute URL.")
            .ValidateOnStart();

        // Read once here: which exporters exist is decided when the providers are built.
        var telemetry = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("invitestream"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(PipelineStatistics.MeterName, EngagementMetrics.MeterName)
                    .AddHttpClientInstrumentation()
                    .AddPrometheusExporter();
                if (telemetry.OtlpEndpoint is { IsAbsoluteUri: true } endpoint)
                {
                    metrics.AddOtlpExporter(o => o.Endpoint = endpoint);
                }

                if (telemetry.Console)
                {
                    metrics.AddConsoleExporter();
                }
            });
        if (telemetry.TracingEnabled)
        {
            otel.WithTracing(tracing =>
            {
                tracing.AddSource(PipelineTracing.SourceName, EngagementMetrics.SourceName)
                    .AddHttpClientInstrumentation()
                    .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(telemetry.TraceSampleRatio)));
                if (telemetry.OtlpEndpoint is { IsAbsoluteUri: true } endpoint)
                {
                    tracing.AddOtlpExporter(o => o.Endpoint = endpoint);
                }

                if (telemetry.Console)
                {
                    tracing.AddConsoleExporter();
                }
            });
        }

        builder.Services.AddSingleton<HealthServer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HealthServer>());
        return builder;
    }
}
