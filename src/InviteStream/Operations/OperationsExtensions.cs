using InviteStream.Configuration;
using InviteStream.Engagement;
using InviteStream.Kafka.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace InviteStream.Operations;

internal static class OperationsExtensions
{
    /// <summary>OpenTelemetry (metrics always, with the Prometheus endpoint; logs; spans when enabled), the health checks and the server that answers the probes.</summary>
    public static IHostApplicationBuilder AddOperations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HealthOptions>()
            .BindSettings(builder.Configuration, HealthOptions.SectionName)
            .Validate(o => System.Net.IPAddress.TryParse(o.Host, out _), "Health:Host must be an IP address to listen on (0.0.0.0 for all).")
            .ValidateOnStart();
        builder.Services.AddOptions<TelemetryOptions>()
            .BindSettings(builder.Configuration, TelemetryOptions.SectionName)
            .Validate(o => o.OtlpEndpoint is null or { IsAbsoluteUri: true }, "Telemetry:OtlpEndpoint must be an absolute URL.")
            .ValidateOnStart();

        // Read once here: which exporters exist is decided when the providers are built. A value of
        // the wrong type must not throw here, before the settings check can report it with the others.
        var telemetry = SettingsConversion.Read<TelemetryOptions>(builder.Configuration.GetSection(TelemetryOptions.SectionName));
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("invitestream"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(PipelineStatistics.MeterName, EngagementMetrics.MeterName, EngagementMetrics.ResilienceMeterName)
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
        // Next to the console logger, not instead of it: people read the console, collectors get
        // records that carry the trace and span of the event being handled.
        otel.WithLogging(
            logging =>
            {
                if (telemetry.OtlpEndpoint is { IsAbsoluteUri: true } endpoint)
                {
                    logging.AddOtlpExporter(o => o.Endpoint = endpoint);
                }

                if (telemetry.Console)
                {
                    logging.AddConsoleExporter();
                }
            },
            options =>
            {
                options.IncludeFormattedMessage = true;
                options.IncludeScopes = true;
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

        // Listed in the order their reasons appear in a 503 answer.
        builder.Services.AddHealthChecks()
            .AddCheck<PipelineFailuresCheck>("pipeline", tags: [HealthTags.Live])
            .AddCheck<PollLoopCheck>("poll-loop", tags: [HealthTags.Live])
            .AddCheck<PartitionsCheck>("partitions", tags: [HealthTags.Ready])
            .AddCheck<KafkaBrokersCheck>("kafka-brokers", tags: [HealthTags.Ready])
            .AddCheck<EngagementCircuitCheck>("engagement-circuit", tags: [HealthTags.Ready]);
        builder.Services.AddSingleton<HealthServer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HealthServer>());
        return builder;
    }
}
