using System.ComponentModel.DataAnnotations;

namespace InviteStream.Operations;

/// <summary>Traces, metrics and log privacy (section <c>Telemetry</c>).</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>OTLP endpoint for traces, metrics and logs (e.g. <c>http://otel-collector:4317</c>); none: no OTLP export.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>Write spans, metrics and log records to the console too (the demo's <c>--Telemetry:Console=true</c>).</summary>
    public bool Console { get; set; }

    /// <summary>Record spans. Empty: on when there is somewhere to send them (OTLP or console).</summary>
    public bool? Tracing { get; set; }

    /// <summary>Share of events without a sampled parent that get a span; a sampled <c>traceparent</c> is always continued.</summary>
    [Range(0.0, 1.0)]
    public double TraceSampleRatio { get; set; } = 1.0;

    public bool TracingEnabled => Tracing ?? (OtlpEndpoint is not null || Console);
}
