using System.Diagnostics;
using Confluent.Kafka;
using InviteStream.Core.Decisions;
using InviteStream.Core.Invites;
using InviteStream.Core.State;
using Microsoft.Extensions.Logging;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// The work of one partition number: its contact state (restored from the changelog in the
/// background before any of its events is decided), and its records, from the input partition and
/// from the repartition partition of the same number. One contact's events are handled strictly in
/// arrival order; different contacts concurrently up to a limit. Every record ends as an outcome, a
/// re-keyed record or a dead letter, and its offset completes only then; a failure while handling
/// one dead-letters it with the exception's type, and the partition goes on.
/// </summary>
/// <param name="restore">Restores the partition's contact state; null for a partition whose records are only re-keyed, never decided.</param>
internal sealed partial class DecisionPartition(
    TopicPartition partition,
    Func<CancellationToken, Task<ContactStateStore>>? restore,
    IContactStateLog stateLog,
    RecordHandler handler,
    PipelineOptions options,
    TimeProvider time,
    ILogger logger) : PartitionWork(partition, options, time, options.MaxInFlightPerPartition)
{
    // Dead letters and re-keyed records carry no contact to order by; each kind keeps its offset order in a lane of its own.
    private const string DeadLetterLane = "\u0000dead-letters";
    private const string RekeyLane = "\u0000rekeyed";

    private readonly TaskCompletionSource<ContactStateStore> _restored = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The contact state, once restored.</summary>
    public ContactStateStore? State { get; private set; }

    /// <summary>Completes with the contact state once it is restored (cancelled when the partition stops first).</summary>
    public Task<ContactStateStore> Restored => _restored.Task;

    /// <summary>The contacts whose invite is out for dispatch; the partition's results release them.</summary>
    public ParkedContacts Parked { get; } = new();

    public IContactStateLog StateLog { get; } = stateLog;

    /// <summary>
    /// Drops contacts no cooldown applies to any more and tombstones them in the changelog. Each runs
    /// in its contact's lane, so a tombstone can never land behind a newer state of the same contact.
    /// </summary>
    public void EvictExpired(DateTimeOffset now)
    {
        if (State is not { } store || Stopping)
        {
            return;
        }

        foreach (var contactId in store.Expired(now).ToList())
        {
            Lanes.Schedule(contactId, () => EvictAsync(store, contactId), holdsSlot: false);
        }
    }

    protected override async Task OnStoppingAsync()
    {
        if (restore is not null && State is null)
        {
            // Still restoring: nothing was decided yet, so there is nothing to let finish.
            await Abandon.CancelAsync();
        }
    }

    protected override void OnDrainTimedOut(TimeSpan timeout)
    {
        LogDrainTimedOut(Partition.Topic, Partition.Partition.Value, timeout);
        Parked.CancelAll();
    }

    protected override void OnAborting() => Parked.CancelAll();

    private async Task EvictAsync(ContactStateStore store, string contactId)
    {
        if (store.TryEvict(contactId, Time.GetUtcNow()))
        {
            await StateLog.AppendAsync(new ContactSnapshot(contactId, []), Abandon.Token);
        }
    }

    protected override async Task RunAsync(CancellationToken token)
    {
        try
        {
            if (restore is not null)
            {
                State = await restore(token);
                _restored.TrySetResult(State);
            }

            await foreach (var item in Inbox.ReadAllAsync(token))
            {
                if (Stopping)
                {
                    break;
                }

                await HandleAsync(item, token);
            }

            await Lanes.WhenIdleAsync();
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Abandoned: nothing unfinished was committed; the next owner does it again.
        }
        catch (Exception ex)
        {
            LogPartitionFailed(ex, Partition.Topic, Partition.Partition.Value);
            Fail(ex);
        }
        finally
        {
            _restored.TrySetCanceled(CancellationToken.None);
        }
    }

    // The lambdas of the slow paths live in methods of their own: their captured variables would
    // otherwise be allocated on entering this method, for every event, the no-match ones included.
    private async Task HandleAsync(InboxItem item, CancellationToken token)
    {
        var record = item.Record;
        RecordPlan plan;
        try
        {
            plan = await handler.PlanAsync(record, item.ReceivedAt, token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRecordFailed(ex, record.Topic, record.Partition.Value, record.Offset.Value);
            plan = RecordPlan.DeadLetter($"processing_error:{ex.GetType().Name}");
        }

        var activity = PipelineTracing.StartEvent(record);
        if (plan.Decide is { } input && State is { } contacts)
        {
            // Most events need no I/O: when nothing of the contact is pending and a slot is free,
            // decide right here; only an event with something to send or publish gets a lane.
            Decision? decided = null;
            if (Lanes.HasFreeSlot && Lanes.IsIdle(input.Event.ContactId))
            {
                try
                {
                    if (handler.TryFinishWithoutIo(input, contacts, activity, out decided))
                    {
                        item.Offsets.TrackCompleted(record.Offset.Value);
                        activity?.Dispose();
                        return;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogRecordFailed(ex, record.Topic, record.Partition.Value, record.Offset.Value);
                    await ScheduleDeadLetterAsync(item, activity, $"processing_error:{ex.GetType().Name}", token);
                    return;
                }
            }

            await ScheduleDecisionAsync(item, activity, input, contacts, decided, token);
        }
        else if (plan.Rekey is { } rekey)
        {
            await ScheduleRekeyAsync(item, activity, rekey, token);
        }
        else
        {
            await ScheduleDeadLetterAsync(item, activity, plan.DeadLetterReason ?? "processing_error:NotDecidable", token);
        }
    }

    private Task ScheduleDecisionAsync(InboxItem item, Activity? activity, EventInput input, ContactStateStore contacts, Decision? decided, CancellationToken token)
    {
        var contactId = input.Event.ContactId;
        return ScheduleAsync(contactId, item, activity, async ct =>
        {
            await UntilSettledAsync(contacts, contactId, input.Origin.RequestId, ct);

            // Parked before the invite leaves: its result may come back before sending returns.
            Task? settled = null;
            await handler.DecideAsync(input, contacts, StateLog, decided, Partition.Partition.Value, () => settled = Parked.WaitFor(contactId), ct);
            return settled;
        }, token);
    }

    private Task ScheduleRekeyAsync(InboxItem item, Activity? activity, Rekeying rekey, CancellationToken token) =>
        ScheduleAsync(RekeyLane, item, activity, ct => Done(handler.ForwardAsync(item.Record, rekey, ct)), token);

    private Task ScheduleDeadLetterAsync(InboxItem item, Activity? activity, string reason, CancellationToken token) =>
        ScheduleAsync(DeadLetterLane, item, activity, ct => Done(handler.DeadLetterAsync(item.Record, reason, ct)), token);

    // An invite of the contact is out for dispatch (e.g. restored after a restart): this event is
    // decided on what that invite came to. Checked again once parked: the result may have just settled it.
    private async Task UntilSettledAsync(ContactStateStore contacts, string contactId, string requestId, CancellationToken token)
    {
        if (contacts.PendingOf(contactId) is not { } pending || pending.RequestId == requestId)
        {
            return;
        }

        var settled = Parked.WaitFor(contactId);
        if (contacts.PendingOf(contactId) is { } still && still.RequestId != requestId)
        {
            await settled.WaitAsync(token);
        }
        else
        {
            Parked.Release(contactId);
        }
    }

    private static async Task<Task?> Done(Task work)
    {
        await work;
        return null;
    }

    private async Task ScheduleAsync(string lane, InboxItem item, Activity? activity, Func<CancellationToken, Task<Task?>> work, CancellationToken token)
    {
        item.Offsets.Track(item.Record.Offset.Value);
        await Lanes.WaitForSlotAsync(token);
        Lanes.Schedule(lane, () => RunTrackedAsync(item, activity, work, token), holdsSlot: true);
    }

    // The offset completes once the record's work is done — or, when the work failed, once the
    // record is dead-lettered. Work may hand back a task that keeps its lane (not its slot) held.
    private async Task<Task?> RunTrackedAsync(InboxItem item, Activity? activity, Func<CancellationToken, Task<Task?>> work, CancellationToken token)
    {
        // The event's span is current for everything below (HTTP instrumentation, outcome headers);
        // an async method's change to it stays inside the method.
        Activity.Current = activity;
        var record = item.Record;
        try
        {
            Task? hold = null;
            try
            {
                token.ThrowIfCancellationRequested();
                hold = await work(token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRecordFailed(ex, record.Topic, record.Partition.Value, record.Offset.Value);
                await handler.DeadLetterAsync(record, $"processing_error:{ex.GetType().Name}", token);
            }

            item.Offsets.Complete(record.Offset.Value);
            return hold;
        }
        finally
        {
            activity?.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "In-flight work on {Topic}[{Partition}] did not finish within {Timeout}; abandoning it uncommitted")]
    private partial void LogDrainTimedOut(string topic, int partition, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling {Topic}[{Partition}]@{Offset} failed; dead-lettering it")]
    private partial void LogRecordFailed(Exception exception, string topic, int partition, long offset);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The work of {Topic}[{Partition}] died; the worker stops")]
    private partial void LogPartitionFailed(Exception exception, string topic, int partition);
}
