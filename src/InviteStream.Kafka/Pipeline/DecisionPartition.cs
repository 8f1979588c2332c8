using System.Diagnostics;
using Confluent.Kafka;
using InviteStream.Core.Decisions;
using InviteStream.Core.Events;
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

    // A contact's state record carries every outcome remembered until its record is committed: past
    // this many, its next events wait for a commit, so the record stays far below a broker's 1 MB
    // limit (a remembered outcome is ~250 bytes) and a run of events cannot make it grow without end.
    private const int MaxRememberedPerContact = 256;

    private readonly TaskCompletionSource<ContactStateStore> _restored = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Per contact, the events read while its lane was busy, decided together once their turn comes.
    private readonly Dictionary<string, List<WaitingEvent>> _waiting = new(StringComparer.Ordinal);

    // Completed (and replaced) whenever a commit lets remembered outcomes be forgotten.
    private TaskCompletionSource _forgotten = new(TaskCreationOptions.RunContinuationsAsynchronously);

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
            lock (_waiting)
            {
                // Events read after this are decided after the tombstone, in a run of their own.
                _waiting.Remove(contactId);
            }

            Lanes.Schedule(contactId, () => EvictAsync(store, contactId), holdsSlot: false);
        }
    }

    /// <summary>Forgets the outcomes remembered for records now committed, and lets contacts waiting for room to remember go on.</summary>
    public void ForgetCommitted(Func<EventOrigin, bool> committed)
    {
        State?.ForgetDecisions(committed);
        Interlocked.Exchange(ref _forgotten, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
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

    // An event of a contact whose lane is busy waits with the contact's other waiting events, and
    // they are decided together when their turn comes: one state record and one wait for it for the
    // lot, instead of one each, so a contact with many events does not hold its partition to the
    // pace of two acknowledgements per event.
    private async Task ScheduleDecisionAsync(InboxItem item, Activity? activity, EventInput input, ContactStateStore contacts, Decision? decided, CancellationToken token)
    {
        var contactId = input.Event.ContactId;
        item.Offsets.Track(item.Record.Offset.Value);
        await Lanes.WaitForSlotAsync(token);
        var waiting = new WaitingEvent(item, activity, input, decided);
        List<WaitingEvent> run;
        lock (_waiting)
        {
            if (_waiting.TryGetValue(contactId, out var queued))
            {
                queued.Add(waiting);
                return;
            }

            run = [waiting];
            _waiting[contactId] = run;
        }

        Lanes.Schedule(contactId, () => DecideInTurnAsync(contactId, run, contacts, token), holdsSlot: false);
    }

    // Each event's offset completes once its outcome is durable, its invite sent, or it is
    // dead-lettered. Hands back the settlement of an invite sent last: the lane stays held until then.
    private async Task<Task?> DecideInTurnAsync(string contactId, List<WaitingEvent> run, ContactStateStore contacts, CancellationToken token)
    {
        lock (_waiting)
        {
            // Events read from now on start a run of their own, after this one.
            if (_waiting.TryGetValue(contactId, out var queued) && ReferenceEquals(queued, run))
            {
                _waiting.Remove(contactId);
            }
        }

        var finished = 0;
        try
        {
            Task? settled = null;
            while (finished < run.Count)
            {
                token.ThrowIfCancellationRequested();
                var first = run[finished];
                await UntilSettledAsync(contacts, contactId, first.Input, token);
                var count = Math.Min(run.Count - finished, await UntilRoomToRememberAsync(contacts, contactId, token));
                var inputs = new EventInput[count];
                for (var i = 0; i < count; i++)
                {
                    inputs[i] = run[finished + i].Input;
                }

                var offset = finished;
                IReadOnlyList<DecidedEvent> decided;
                try
                {
                    Activity.Current = first.Activity;
                    decided = await handler.DecideAsync(inputs, contacts, StateLog, first.Decided, i => Activity.Current = run[offset + i].Activity, token);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Nothing of these was published: their state was not written.
                    for (var i = 0; i < count; i++)
                    {
                        await DeadLetterAsync(run[finished].Item.Record, ex, token);
                        Finish(run[finished++]);
                    }

                    continue;
                }

                settled = null;
                for (var i = 0; i < decided.Count; i++)
                {
                    var waiting = run[finished];
                    Activity.Current = waiting.Activity;
                    try
                    {
                        // Parked before the invite leaves: its result may come back before sending returns.
                        await handler.FinishAsync(waiting.Input, decided[i], Partition.Partition.Value, () => settled = Parked.WaitFor(contactId), token);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        await DeadLetterAsync(waiting.Item.Record, ex, token);
                    }

                    Finish(run[finished++]);
                }
            }

            return settled;
        }
        finally
        {
            // Abandoned part way (the partition stops): the rest stay uncommitted for the next owner.
            for (var i = finished; i < run.Count; i++)
            {
                Lanes.ReleaseSlot();
                run[i].Activity?.Dispose();
            }
        }
    }

    private async Task DeadLetterAsync(ConsumeResult<byte[]?, byte[]?> record, Exception exception, CancellationToken token)
    {
        LogRecordFailed(exception, record.Topic, record.Partition.Value, record.Offset.Value);
        await handler.DeadLetterAsync(record, $"processing_error:{exception.GetType().Name}", token);
    }

    private void Finish(WaitingEvent waiting)
    {
        waiting.Item.Offsets.Complete(waiting.Item.Record.Offset.Value);
        Lanes.ReleaseSlot();
        waiting.Activity?.Dispose();
    }

    // How many more outcomes the contact may remember now; waits for a commit when none.
    private async Task<int> UntilRoomToRememberAsync(ContactStateStore contacts, string contactId, CancellationToken token)
    {
        while (true)
        {
            var forgotten = Volatile.Read(ref _forgotten).Task;
            var room = MaxRememberedPerContact - contacts.RememberedCount(contactId);
            if (room > 0)
            {
                return room;
            }

            await forgotten.WaitAsync(token);
        }
    }

    private Task ScheduleRekeyAsync(InboxItem item, Activity? activity, Rekeying rekey, CancellationToken token) =>
        ScheduleAsync(RekeyLane, item, activity, ct => handler.ForwardAsync(item.Record, rekey, ct), token);

    private Task ScheduleDeadLetterAsync(InboxItem item, Activity? activity, string reason, CancellationToken token) =>
        ScheduleAsync(DeadLetterLane, item, activity, ct => handler.DeadLetterAsync(item.Record, reason, ct), token);

    // An invite of the contact is out for dispatch and this event's answer may depend on what it
    // comes to. Checked again once parked: the result may have just settled it.
    private async Task UntilSettledAsync(ContactStateStore contacts, string contactId, EventInput input, CancellationToken token)
    {
        if (!handler.WaitsForPending(input, contacts))
        {
            return;
        }

        var settled = Parked.WaitFor(contactId);
        if (handler.WaitsForPending(input, contacts))
        {
            await settled.WaitAsync(token);
        }
        else
        {
            Parked.Release(contactId);
        }
    }

    private async Task ScheduleAsync(string lane, InboxItem item, Activity? activity, Func<CancellationToken, Task> work, CancellationToken token)
    {
        item.Offsets.Track(item.Record.Offset.Value);
        await Lanes.WaitForSlotAsync(token);
        Lanes.Schedule(lane, () => RunTrackedAsync(item, activity, work, token), holdsSlot: true);
    }

    // The offset completes once the record's work is done — or, when the work failed, once the
    // record is dead-lettered.
    private async Task RunTrackedAsync(InboxItem item, Activity? activity, Func<CancellationToken, Task> work, CancellationToken token)
    {
        // The record's span is current for everything below; an async method's change to it stays inside the method.
        Activity.Current = activity;
        var record = item.Record;
        try
        {
            try
            {
                token.ThrowIfCancellationRequested();
                await work(token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await DeadLetterAsync(record, ex, token);
            }

            item.Offsets.Complete(record.Offset.Value);
        }
        finally
        {
            activity?.Dispose();
        }
    }

    private readonly record struct WaitingEvent(InboxItem Item, Activity? Activity, EventInput Input, Decision? Decided);

    [LoggerMessage(Level = LogLevel.Warning, Message = "In-flight work on {Topic}[{Partition}] did not finish within {Timeout}; abandoning it uncommitted")]
    private partial void LogDrainTimedOut(string topic, int partition, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling {Topic}[{Partition}]@{Offset} failed; dead-lettering it")]
    private partial void LogRecordFailed(Exception exception, string topic, int partition, long offset);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The work of {Topic}[{Partition}] died; the worker stops")]
    private partial void LogPartitionFailed(Exception exception, string topic, int partition);
}
