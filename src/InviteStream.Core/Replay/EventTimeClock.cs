namespace InviteStream.Core.Replay;

/// <summary>
/// A clock that moves only when told: to the time of the next event being replayed. Timers (a
/// limiter's next free permit, an invite's deadline) fire in due order, each at its own due time,
/// and after each one <paramref name="settle"/> runs whatever it set off before the next fires —
/// so a replay on event time is deterministic.
/// </summary>
public sealed class EventTimeClock(DateTimeOffset start, Action settle) : TimeProvider
{
    private readonly PriorityQueue<ManualTimer, (long Due, long Sequence)> _due = new();
    private long _now = start.UtcTicks;
    private long _sequence;

    public override DateTimeOffset GetUtcNow() => new(_now, TimeSpan.Zero);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _now;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Whether moving to <paramref name="time"/> would fire a timer.</summary>
    public bool HasTimersDueBy(DateTimeOffset time) => NextDue() is { } due && due <= time.UtcTicks;

    /// <summary>Moves the clock to <paramref name="time"/> (never back), firing every timer due by then.</summary>
    public void AdvanceTo(DateTimeOffset time)
    {
        while (HasTimersDueBy(time))
        {
            FireNext();
        }

        _now = Math.Max(_now, time.UtcTicks);
    }

    /// <summary>Fires every timer, however far ahead, until none is left (the end of the input).</summary>
    public void RunOut()
    {
        while (NextDue() is not null)
        {
            FireNext();
        }
    }

    private long? NextDue()
    {
        DropStale();
        return _due.TryPeek(out _, out var key) ? key.Due : null;
    }

    private void FireNext()
    {
        var timer = _due.Dequeue();
        _now = Math.Max(_now, timer.Due);
        timer.Fire();
        settle();
    }

    // A timer changed or disposed since it was queued leaves a stale entry behind: skip it.
    private void DropStale()
    {
        while (_due.TryPeek(out var timer, out var key) && (timer.Due != key.Due || timer.Sequence != key.Sequence))
        {
            _due.Dequeue();
        }
    }

    private void Schedule(ManualTimer timer)
    {
        timer.Sequence = ++_sequence;
        _due.Enqueue(timer, (timer.Due, timer.Sequence));
    }

    private sealed class ManualTimer(EventTimeClock clock, TimerCallback callback, object? state) : ITimer
    {
        private long _period = -1;

        public long Due { get; private set; } = long.MaxValue;

        public long Sequence { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            _period = period == Timeout.InfiniteTimeSpan || period <= TimeSpan.Zero ? -1 : period.Ticks;
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                Due = long.MaxValue;
                Sequence = 0;
                return true;
            }

            var ticks = Math.Max(dueTime.Ticks, 0);
            Due = clock._now > DateTimeOffset.MaxValue.UtcTicks - ticks ? DateTimeOffset.MaxValue.UtcTicks : clock._now + ticks;
            clock.Schedule(this);
            return true;
        }

        public void Fire()
        {
            if (_period > 0)
            {
                Due += _period;
                clock.Schedule(this);
            }
            else
            {
                Due = long.MaxValue;
                Sequence = 0;
            }

            callback(state);
        }

        public void Dispose()
        {
            Due = long.MaxValue;
            Sequence = 0;
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
