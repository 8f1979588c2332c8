using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using InviteStream.Core.Events;
using InviteStream.Core.Outcomes;

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
    internal static Activity? StartEvent<TKey, TValue>(ConsumeResult<TKey, TValue> record)
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

    /// <summary>Headers carrying the current span's context, so consumers of the record continue the trace; null outside a span.</summary>
    internal static Headers? CurrentContext()
    {
        if (Activity.Current is not { } current)
        {
            return null;
        }

        var headers = new Headers { { TraceParentHeader, Encoding.ASCII.GetBytes(current.Id!) } };
        if (!string.IsNullOrEmpty(current.TraceStateString))
        {
            headers.Add(TraceStateHeader, Encoding.ASCII.GetBytes(current.TraceStateString));
        }

        return headers;
    }

    /// <summary>Tags the current span (when sampled) with what an operator searches traces by.</summary>
    internal static void Annotate(InviteOutcome outcome) =>
        Annotate(Activity.Current, outcome.RequestId, outcome.CorrelationId, outcome.EventId, OutcomeStatusNames.ToWire(outcome.Status), outcome.CampaignId);

    internal static void Annotate(Activity? activity, BehavioralEvent behavioralEvent, EventOrigin origin, string outcome, string? campaignId) =>
        Annotate(activity, origin.RequestId, behavioralEvent.CorrelationId, behavioralEvent.EventId, outcome, campaignId);

    private static void Annotate(Activity? activity, string requestId, string? correlationId, string eventId, string outcome, string? campaignId)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        activity.SetTag("invitestream.request_id", requestId);
        activity.SetTag("invitestream.correlation_id", correlationId);
        activity.SetTag("invitestream.event_id", eventId);
        activity.SetTag("invitestream.outcome", outcome);
        activity.SetTag("invitestream.campaign_id", campaignId);
    }
}
