using System.Diagnostics;
using System.Text;
using Confluent.Kafka;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// One span per event decision, continuing the W3C trace context the producer put in the record's
/// <c>traceparent</c>/<c>tracestate</c> headers, and handing it on in the outcome's headers.
/// </summary>
public static class PipelineTracing
{
    public const string SourceName = "InviteStream.Pipeline";
    public const string TraceParentHeader = "traceparent";
    public const string TraceStateHeader = "tracestate";

    internal static readonly ActivitySource Source = new(SourceName);

    /// <summary>Starts the event's span (null when nobody samples it), without making it current for the caller.</summary>
    internal static Activity? StartEvent(ConsumeResult<string?, byte[]> record)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var previous = Activity.Current;
        Activity.Current = null;
        var parent = default(ActivityContext);
        if (record.Message.Headers is { Count: > 0 } headers && headers.TryGetLastBytes(TraceParentHeader, out var traceParent))
        {
            var traceState = headers.TryGetLastBytes(TraceStateHeader, out var state) ? Encoding.ASCII.GetString(state) : null;
            ActivityContext.TryParse(Encoding.ASCII.GetString(traceParent), traceState, isRemote: true, out parent);
        }

        var activity = Source.StartActivity($"{record.Topic} process", ActivityKind.Consumer, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "kafka");
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.destination.name", record.Topic);
            activity.SetTag("messaging.destination.partition.id", record.Partition.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            activity.SetTag("messaging.kafka.offset", record.Offset.Value);
        }

        Activity.Current = previous;
        return activity;
    }

    /// <summary>Adds the current span's context to <paramref name="headers"/>, so consumers of the outcome continue the trace.</summary>
    internal static void Inject(Headers headers)
    {
        if (Activity.Current is not { } current)
        {
            return;
        }

        headers.Add(TraceParentHeader, Encoding.ASCII.GetBytes(current.Id!));
        if (!string.IsNullOrEmpty(current.TraceStateString))
        {
            headers.Add(TraceStateHeader, Encoding.ASCII.GetBytes(current.TraceStateString));
        }
    }
}
