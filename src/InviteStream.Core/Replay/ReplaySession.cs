using InviteStream.Core.Campaigns;
using InviteStream.Core.Decisions;
using InviteStream.Core.Dispatch;
using InviteStream.Core.Events;
using InviteStream.Core.Invites;
using InviteStream.Core.Outcomes;
using InviteStream.Core.State;

namespace InviteStream.Core.Replay;

/// <summary>
/// Recorded events decided again, as a dry run on event time: the live <see cref="InviteFlow"/> with
/// the events' <c>occurredAt</c> as its clock, an engine that accepts every invite (the outcome says
/// <c>would_deliver</c>) and nothing written anywhere but to <paramref name="onOutcome"/>.
/// </summary>
/// <remarks>
/// Events are decided in <c>occurredAt</c> order (ties: partition, then offset): each waits in a
/// buffer until an event <see cref="ReplaySettings.MaxLateness"/> younger has been seen, so input
/// shuffled within that bound gives the same outcomes. An event older than one already decided is
/// late: decided at the replay's current time and counted. Before an event is decided the clock
/// moves to its time, so a waiting invite gets its permit, or reaches its deadline, at the event
/// time it would have. A contact's events are decided one after another, as live: the next waits
/// while an invite of the contact waits for a permit. An event that no campaign's filters accept
/// is decided as it comes (<see cref="InviteFlow.TryFinishOutOfTurn"/>): its decision is the same
/// at any time and leaves nothing behind. Everything runs on the caller's thread.
/// </remarks>
public sealed class ReplaySession : IDisposable
{
    private static readonly EventOrderComparer Order = new();

    private readonly ReplaySettings _settings;
    private readonly ReplayLoop _loop = new();
    private readonly EventTimeClock _clock;
    private readonly InviteFlow _flow;
    private readonly CampaignPermits _permits;
    private readonly ContactStateStore _contacts;
    private readonly LatenessBuffer _buffer = new();
    private readonly Dictionary<string, ContactTail> _contactTails = new(StringComparer.Ordinal);
    private readonly List<Exception> _failures = [];
    private DispatchTurn? _lastTurn;
    private DateTimeOffset _newestSeen = DateTimeOffset.MinValue;
    private DateTimeOffset _lastEviction = DateTimeOffset.MinValue;
    private long _taken;
    private long _takenAtEviction;
    private int _keptAtEviction;

    /// <param name="filterResults">Told every filter that did not match (the report's filter failures).</param>
    public ReplaySession(CampaignSet campaigns, ReplaySettings settings, Action<InviteOutcome> onOutcome, IFilterResultSink? filterResults = null)
    {
        ArgumentNullException.ThrowIfNull(campaigns);
        ArgumentNullException.ThrowIfNull(onOutcome);
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _clock = new EventTimeClock(DateTimeOffset.MinValue, _loop.RunPending);
        _contacts = new ContactStateStore(campaigns.LongestCooldown);
        _permits = new CampaignPermits(log: null, _clock, settings.CampaignWindow, TimeSpan.Zero);

        // The stale guard is for live traffic arriving late; on event time every event is on time.
        _flow = new InviteFlow(
            new InviteDecider(campaigns.Campaigns, new DecisionRules(TimeSpan.MaxValue, settings.ConsolidatedSuppression)),
            new AcceptingEngine(),
            new OutcomeWriter(onOutcome),
            // None when nobody reads them: an event no campaign accepts is then rejected in one pass.
            filterResults,
            new InviteFlowSettings(settings.MaxInviteDelay, settings.EmitNotEligible, settings.PassThroughAttributes),
            _clock);
    }

    /// <summary>Events taken in so far.</summary>
    public long Read { get; private set; }

    /// <summary>Events decided so far.</summary>
    public long Decided { get; private set; }

    /// <summary>Events that arrived more than <see cref="ReplaySettings.MaxLateness"/> behind the newest one seen.</summary>
    public long Late { get; private set; }

    /// <summary>Contacts whose state is kept (it grows with active contacts, not with the input).</summary>
    public int ActiveContacts => _contacts.Count;

    /// <summary>Takes in one event; it is decided once later events show nothing older can still come.</summary>
    public void Add(BehavioralEvent behavioralEvent, EventOrigin origin, IReadOnlyCollection<string>? onlyCampaigns = null)
    {
        ArgumentNullException.ThrowIfNull(behavioralEvent);
        Read++;
        if (behavioralEvent.OccurredAt > _newestSeen)
        {
            _newestSeen = behavioralEvent.OccurredAt;
        }

        var input = new EventInput(behavioralEvent, origin, onlyCampaigns, 0);
        if (_flow.TryFinishOutOfTurn(input))
        {
            // Most events: no campaign's filters accept them, so deciding them now gives what their
            // turn would. Only the others wait in the buffer, which then stays small and warm.
            Decided++;
            Late += behavioralEvent.OccurredAt < _clock.GetUtcNow() ? 1 : 0;
        }
        else
        {
            _buffer.Add(input);
        }

        var horizon = _newestSeen - _settings.MaxLateness;
        while (_buffer.TryTakeUpTo(horizon, out var next))
        {
            Decide(next);
        }
    }

    /// <summary>Decides every event still buffered and lets every waiting invite run to its permit or its deadline.</summary>
    public void Complete()
    {
        while (_buffer.TryTakeUpTo(DateTimeOffset.MaxValue, out var next))
        {
            Decide(next);
        }

        _loop.Run(_clock.RunOut);
        ThrowIfFailed();
        if (_contactTails.Count > 0)
        {
            throw new InvalidOperationException($"{_contactTails.Count} contacts still wait after the replay's last timer: a replay bug.");
        }
    }

    public void Dispose() => _permits.Dispose();

    private void Decide(EventInput input)
    {
        _taken++;
        var occurredAt = input.Event.OccurredAt;
        if (occurredAt < _clock.GetUtcNow())
        {
            Late++;
        }

        if (_clock.HasTimersDueBy(occurredAt))
        {
            // Grants and deadlines due by now settle first, as live they would have before this event.
            _loop.Run(() => _clock.AdvanceTo(occurredAt));
            ThrowIfFailed();
        }
        else
        {
            _clock.AdvanceTo(occurredAt);
        }

        if (!_contactTails.ContainsKey(input.Event.ContactId))
        {
            // Most events match nothing and touch no state: decided here, with no task.
            if (_flow.TryFinishWithoutIo(input, _contacts, out var decision))
            {
                Decided++;
                EvictNowAndThen();
                return;
            }

            Start(input, decision);
            return;
        }

        Start(input, null);
    }

    // `decided`: what the no-task path decided for this event, only when no earlier event of its contact waits.
    private void Start(EventInput input, Decision? decided)
    {
        _loop.Run(() =>
        {
            var contactId = input.Event.ContactId;
            var tail = new ContactTail(_contactTails.GetValueOrDefault(contactId));
            tail.Run = DecideAfterAsync(tail, input with { ReceivedAt = _clock.GetTimestamp() }, decided);
            if (!tail.Run.IsCompleted)
            {
                _contactTails[contactId] = tail;
            }

            EvictNowAndThen();
        });
        ThrowIfFailed();
    }

    private async Task DecideAfterAsync(ContactTail tail, EventInput input, Decision? decided)
    {
        if (tail.Previous?.Run is { } previous)
        {
            await previous;
        }

        tail.Previous = null;

        var turn = _lastTurn = new DispatchTurn(_lastTurn);
        try
        {
            await _flow.RunAsync(input, _contacts, NoStateLog.Instance, _permits, turn, decided, CancellationToken.None);
            Decided++;

            // Nothing is read twice in a replay: the decision need not be remembered.
            _contacts.ForgetDecisions(input.Event.ContactId);
        }
        catch (Exception ex)
        {
            _failures.Add(ex);
        }
        finally
        {
            turn.Release();

            // The contact's last event done: nothing of it waits any more.
            if (_contactTails.TryGetValue(input.Event.ContactId, out var last) && last == tail)
            {
                _contactTails.Remove(input.Event.ContactId);
            }
        }
    }

    // Contacts whose invites left every cooldown matter no more: memory follows active contacts. A
    // sweep visits every contact kept, so the next waits for as many events taken to decide as half
    // of those left: each event pays a constant share, and the store grows by at most half between sweeps.
    private void EvictNowAndThen()
    {
        var now = _clock.GetUtcNow();
        if (now - _lastEviction < TimeSpan.FromMinutes(1) || _taken - _takenAtEviction < _keptAtEviction / 2)
        {
            return;
        }

        _lastEviction = now;
        _takenAtEviction = _taken;
        _contacts.EvictExpired(now);
        _keptAtEviction = _contacts.Count;
    }

    private void ThrowIfFailed()
    {
        if (_failures.Count > 0)
        {
            throw new AggregateException("Replaying an event failed.", _failures);
        }
    }

    /// <summary>One event of a contact in the chain of its events: it runs once the one before has.</summary>
    private sealed class ContactTail(ContactTail? previous)
    {
        public ContactTail? Previous { get; set; } = previous;

        public Task? Run { get; set; }
    }

    private sealed class EventOrderComparer : IComparer<EventInput>
    {
        public int Compare(EventInput x, EventInput y)
        {
            var byTime = x.Event.OccurredAt.UtcTicks.CompareTo(y.Event.OccurredAt.UtcTicks);
            if (byTime != 0)
            {
                return byTime;
            }

            var byPartition = x.Origin.Partition.CompareTo(y.Origin.Partition);
            return byPartition != 0 ? byPartition : x.Origin.Offset.CompareTo(y.Origin.Offset);
        }
    }

    /// <summary>
    /// Events waiting for their turn, taken out in <see cref="EventOrderComparer"/> order. Each
    /// partition's input mostly comes in order (a file is one partition): such events wait in a queue
    /// of their partition (constant time), and the next event is the earliest of the queues' heads;
    /// only events out of order within their partition go to a heap.
    /// </summary>
    private sealed class LatenessBuffer
    {
        private readonly Dictionary<int, PartitionQueue> _byPartition = [];
        private readonly List<PartitionQueue> _queues = [];
        private readonly PriorityQueue<EventInput, EventInput> _outOfOrder = new(Order);

        public void Add(EventInput input)
        {
            var partition = input.Origin.Partition;
            if (!_byPartition.TryGetValue(partition, out var queue))
            {
                _byPartition[partition] = queue = new PartitionQueue();
                _queues.Add(queue);
            }

            if (queue.Events.Count == 0 || Order.Compare(input, queue.Last) >= 0)
            {
                queue.Events.Enqueue(input);
                queue.Last = input;
            }
            else
            {
                _outOfOrder.Enqueue(input, input);
            }
        }

        public bool TryTakeUpTo(DateTimeOffset horizon, out EventInput next)
        {
            PartitionQueue? earliest = null;
            foreach (var queue in _queues)
            {
                if (queue.Events.TryPeek(out var head) && (earliest is null || Order.Compare(head, earliest.Events.Peek()) < 0))
                {
                    earliest = queue;
                }
            }

            var fromHeap = _outOfOrder.TryPeek(out var heaped, out _);
            if (earliest is not null && (!fromHeap || Order.Compare(earliest.Events.Peek(), heaped) <= 0))
            {
                next = earliest.Events.Peek();
                if (next.Event.OccurredAt > horizon)
                {
                    return false;
                }

                earliest.Events.Dequeue();
                return true;
            }

            next = heaped;
            if (!fromHeap || heaped.Event.OccurredAt > horizon)
            {
                return false;
            }

            _outOfOrder.Dequeue();
            return true;
        }

        private sealed class PartitionQueue
        {
            public Queue<EventInput> Events { get; } = new();

            public EventInput Last { get; set; }
        }
    }

    /// <summary>Accepts every invite: what the outcome calls <c>would_deliver</c>.</summary>
    private sealed class AcceptingEngine : IInviteDispatcher
    {
        public Task<DateTimeOffset?> SuppressedUntilAsync(InviteRequest request, CancellationToken cancellationToken) => Task.FromResult<DateTimeOffset?>(null);

        public ValueTask<bool> ReserveFirstAttemptAsync(DateTimeOffset deadline, CancellationToken cancellationToken) => ValueTask.FromResult(true);

        public Task<DispatchResult> DispatchAsync(InviteRequest request, CancellationToken cancellationToken) => Task.FromResult(DispatchResult.Delivered);
    }

    private sealed class OutcomeWriter(Action<InviteOutcome> onOutcome) : IOutcomeSink
    {
        public Task PublishAsync(InviteOutcome outcome, CancellationToken cancellationToken)
        {
            onOutcome(outcome.Status == OutcomeStatus.Delivered ? outcome with { Status = OutcomeStatus.WouldDeliver } : outcome);
            return Task.CompletedTask;
        }
    }

    private sealed class NoStateLog : IContactStateLog
    {
        public static NoStateLog Instance { get; } = new();

        public Task AppendAsync(ContactSnapshot snapshot, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
