using System.Diagnostics;
using Confluent.Kafka;
using InviteStream.Core.Decisions;
using InviteStream.Core.Events;
using InviteStream.Core.Invites;
using InviteStream.Core.State;
using InviteStream.Kafka.Publishing;
using InviteStream.Kafka.Serialization;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// What the contact stage does with one record: read it and plan its way (<see cref="PlanAsync"/>),
/// then decide it through the core's <see cref="InviteFlow"/> (handing an invite to the dispatch
/// stage), re-key it, or dead-letter it; and settle the dispatch results that come back. The Kafka
/// side of the invite flow: records and offsets here, rules in the core.
/// </summary>
internal sealed class RecordHandler(
    EventRecordReader reader,
    RecordRouting routing,
    InviteFlow flow,
    TriggerPublisher triggers,
    RekeyForwarder forwarder,
    DeadLetterPublisher deadLetters,
    TopicLayout layout,
    PipelineStatistics statistics,
    TimeProvider time)
{
    // One delegate for every record: a method group converted at each call is a new one per event.
    private readonly Func<string, bool> _knownCampaign = flow.Knows;

    public async ValueTask<RecordPlan> PlanAsync(ConsumeResult<byte[]?, byte[]?> record, long receivedAt, CancellationToken cancellationToken)
    {
        if (!routing.WasRekeyed(record))
        {
            statistics.EventRead();
        }

        var read = CampaignHeader.Apply(record, await reader.ReadAsync(record, cancellationToken), _knownCampaign);
        if (read.Event is not { } behavioralEvent)
        {
            return RecordPlan.DeadLetter(read.Error!);
        }

        var rekey = routing.Route(record, behavioralEvent.ContactId, layout.InputPartitions);
        var position = new EventOrigin(record.Topic, record.Partition.Value, record.Offset.Value);
        return rekey is not null
            ? new RecordPlan(null, rekey, null)
            : new RecordPlan(new EventInput(behavioralEvent, OriginHeaders.Of(record), read.OnlyCampaigns, receivedAt, position), null, null);
    }

    /// <summary>Decides the event now; true when that finished it (no campaign matched, no outcome wanted).</summary>
    public bool TryFinishWithoutIo(EventInput input, ContactStateStore contacts, Activity? activity, out Decision? decision)
    {
        if (!flow.TryFinishWithoutIo(input, contacts, out decision))
        {
            return false;
        }

        NoMatch(input, activity);
        return true;
    }

    /// <summary>
    /// Decides a run of one contact's events, in order (<see cref="InviteFlow.DecideAsync(IReadOnlyList{EventInput}, ContactStateStore, IContactStateLog, Decision?, Action{int}?, CancellationToken)"/>):
    /// their state written once and their outcomes handed over; each then goes through <see cref="FinishAsync"/>.
    /// </summary>
    public Task<IReadOnlyList<DecidedEvent>> DecideAsync(
        IReadOnlyList<EventInput> inputs, ContactStateStore contacts, IContactStateLog stateLog, Decision? firstDecided, Action<int> beforePublishing,
        CancellationToken cancellationToken) =>
        flow.DecideAsync(inputs, contacts, stateLog, firstDecided, beforePublishing, cancellationToken);

    /// <summary>Whether the event must wait until the contact's pending invite settles (<see cref="InviteFlow.WaitsForPending"/>).</summary>
    public bool WaitsForPending(EventInput input, ContactStateStore contacts) => flow.WaitsForPending(input, contacts);

    /// <summary>
    /// Finishes one decided event: its outcome durable, or its invite sent to the dispatch stage (after
    /// <paramref name="beforeSending"/>), or its no-match counted.
    /// </summary>
    public async Task FinishAsync(EventInput input, DecidedEvent decided, int partition, Action beforeSending, CancellationToken cancellationToken)
    {
        if (decided.Trigger is { } trigger)
        {
            PipelineTracing.Annotate(Activity.Current, input.Event, input.Origin, "pending", trigger.CampaignId);
            beforeSending();
            await triggers.SendAsync(trigger, partition, cancellationToken);
            return;
        }

        await decided.Published;
        if (decided.Outcome is null)
        {
            NoMatch(input, Activity.Current);
        }
    }

    /// <summary>Settles a dispatch result read from the result topic; returns the contact it was about.</summary>
    public async Task<string> SettleAsync(
        ConsumeResult<byte[]?, byte[]?> record, ContactStateStore contacts, IContactStateLog stateLog, CancellationToken cancellationToken)
    {
        var (trigger, result) = TriggerJson.ReadResult(record.Message.Value ?? []);
        var position = new EventOrigin(record.Topic, record.Partition.Value, record.Offset.Value);
        await flow.SettleAsync(trigger, result, contacts, stateLog, position, cancellationToken);
        return trigger.Event.ContactId;
    }

    public Task ForwardAsync(ConsumeResult<byte[]?, byte[]?> record, Rekeying rekey, CancellationToken cancellationToken) =>
        forwarder.ForwardAsync(record, rekey.ContactId, rekey.HomePartition, rekey.Reason, cancellationToken);

    public Task DeadLetterAsync(ConsumeResult<byte[]?, byte[]?> record, string reason, CancellationToken cancellationToken)
    {
        Activity.Current?.SetTag("invitestream.dead_letter.reason", reason);
        return deadLetters.PublishAsync(record, reason, cancellationToken);
    }

    private void NoMatch(EventInput input, Activity? activity)
    {
        statistics.NoMatchDecided(time.GetElapsedTime(input.ReceivedAt).TotalMilliseconds);
        PipelineTracing.Annotate(activity, input.Event, input.Origin, "no_match", null);
    }
}
