namespace InviteStream.Engagement.RateLimiting;

/// <summary>
/// At most <c>permitLimit</c> permits in ANY rolling <c>window</c>, on a <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>
/// A token bucket of capacity N lets a full bucket plus its refill exceed N within one window; this
/// keeps the grant times of the last N permits instead, so the next permit is free exactly when the
/// oldest of them leaves the window. Only grants still inside the window are kept, so memory follows
/// the rate actually used, not the limit. Unused budget may be spent at once as a burst.
/// Waiters are served in arrival order and only until their deadline: one whose planned grant time is
/// already past its deadline is refused at once, without queueing.
/// System.Threading.RateLimiting's limiters take no TimeProvider (dotnet/runtime#106447), hence our own.
/// </remarks>
public sealed class RollingWindowRateLimiter : IDisposable
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _window;
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly ITimer _timer;
    private readonly GrantLog _grants = new();
    private int _limit;
    private DateTimeOffset _blockedUntil = DateTimeOffset.MinValue;
    private bool _disposed;

    public RollingWindowRateLimiter(int permitLimit, TimeSpan window, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(permitLimit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _window = window;
        _limit = permitLimit;
        _timer = time.CreateTimer(_ => Drain(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public int PermitLimit
    {
        get
        {
            lock (_lock)
            {
                return _limit;
            }
        }
    }

    /// <summary>Permits that could be granted right now.</summary>
    public int Available
    {
        get
        {
            lock (_lock)
            {
                var now = _time.GetUtcNow();
                if (now < _blockedUntil)
                {
                    return 0;
                }

                _grants.DropUpTo((now - _window).UtcTicks);
                return Math.Max(_limit - _grants.Count - _waiters.Count, 0);
            }
        }
    }

    public int QueuedWaiters
    {
        get
        {
            lock (_lock)
            {
                return _waiters.Count;
            }
        }
    }

    /// <summary>Waits for a permit until <paramref name="deadline"/>; false when none can be had by then.</summary>
    public ValueTask<bool> AcquireAsync(DateTimeOffset deadline, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Waiter waiter;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = _time.GetUtcNow();
            if (_waiters.Count == 0 && NextFreeAt(0) <= now)
            {
                Grant(now);
                return ValueTask.FromResult(true);
            }

            if (PlannedGrantAt(_waiters.Count, now) > deadline)
            {
                return ValueTask.FromResult(false);
            }

            waiter = new Waiter(this);
            waiter.Node = _waiters.AddLast(waiter);
            waiter.Arm(_time, deadline - now, cancellationToken);
            ScheduleLocked(now);
        }

        return new ValueTask<bool>(waiter.Completion.Task);
    }

    /// <summary>
    /// Grants nothing until <paramref name="until"/>: the API said its budget is spent (429, or
    /// <c>X-RateLimit-Remaining: 0</c>), so sending more would only collect more 429s.
    /// </summary>
    public void BlockUntil(DateTimeOffset until)
    {
        lock (_lock)
        {
            if (until > _blockedUntil)
            {
                _blockedUntil = until;
            }

            ScheduleLocked(_time.GetUtcNow());
        }
    }

    /// <summary>Changes the cap (a rebalance changed this instance's share); grants already made still count.</summary>
    public void SetPermitLimit(int permitLimit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(permitLimit, 1);
        lock (_lock)
        {
            if (permitLimit == _limit)
            {
                return;
            }

            // The most recent grants still count against the new cap.
            _limit = permitLimit;
            while (_grants.Count > _limit)
            {
                _grants.RemoveOldest();
            }

            ScheduleLocked(_time.GetUtcNow());
        }

        Drain();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _timer.Dispose();
            foreach (var waiter in _waiters)
            {
                waiter.Finish(false);
            }

            _waiters.Clear();
        }
    }

    // When the permit n grants ahead becomes free, judging only by grants already made: of the last
    // N grants, those older than the window (not kept) are free now, the others when they leave it.
    private DateTimeOffset NextFreeAt(int ahead)
    {
        var kept = ahead - (_limit - _grants.Count);
        var free = kept < 0
            ? DateTimeOffset.MinValue
            : new DateTimeOffset(_grants[kept], TimeSpan.Zero) + _window;
        return free > _blockedUntil ? free : _blockedUntil;
    }

    // A lower bound on when the waiter at queue position `position` would be served. Waiters ahead
    // may leave, so the real grant can only come earlier. Beyond one ring of waiters the wait is at
    // least a whole window.
    private DateTimeOffset PlannedGrantAt(int position, DateTimeOffset now) =>
        position < _limit ? Max(NextFreeAt(position), now) : now + _window;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private void Grant(DateTimeOffset now)
    {
        _grants.DropUpTo((now - _window).UtcTicks);
        _grants.Add(now.UtcTicks);
        if (_grants.Count > _limit)
        {
            _grants.RemoveOldest();
        }
    }

    private void Drain()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            var now = _time.GetUtcNow();
            while (_waiters.First is { } head && NextFreeAt(0) <= now)
            {
                _waiters.RemoveFirst();
                if (head.Value.Finish(true))
                {
                    Grant(now);
                }
            }

            ScheduleLocked(now);
        }
    }

    private void ScheduleLocked(DateTimeOffset now)
    {
        if (_waiters.Count == 0)
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        var due = NextFreeAt(0) - now;
        _timer.Change(due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private void Abandon(Waiter waiter, bool cancelled)
    {
        lock (_lock)
        {
            if (waiter.Node?.List is not null)
            {
                _waiters.Remove(waiter.Node);
            }
        }

        if (cancelled)
        {
            waiter.Cancel();
        }
        else
        {
            waiter.Finish(false);
        }

        Drain();
    }

    private sealed class Waiter(RollingWindowRateLimiter owner)
    {
        private ITimer? _deadlineTimer;
        private CancellationTokenRegistration _cancellation;

        public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }

        public void Arm(TimeProvider time, TimeSpan untilDeadline, CancellationToken cancellationToken)
        {
            _deadlineTimer = time.CreateTimer(_ => owner.Abandon(this, cancelled: false), null, untilDeadline, Timeout.InfiniteTimeSpan);
            if (cancellationToken.CanBeCanceled)
            {
                _cancellation = cancellationToken.Register(() => owner.Abandon(this, cancelled: true));
            }
        }

        public bool Finish(bool granted)
        {
            Release();
            return Completion.TrySetResult(granted);
        }

        public void Cancel()
        {
            Release();
            Completion.TrySetCanceled();
        }

        private void Release()
        {
            _deadlineTimer?.Dispose();

            // Unregister, not Dispose: Dispose waits for a running callback, which may be waiting for our lock.
            _cancellation.Unregister();
        }
    }

    /// <summary>Grant times, oldest first, in a ring that grows as needed.</summary>
    private sealed class GrantLog
    {
        private long[] _ring = new long[16];
        private int _head;

        public int Count { get; private set; }

        public long this[int index] => _ring[(_head + index) % _ring.Length];

        public void Add(long ticks)
        {
            if (Count == _ring.Length)
            {
                var grown = new long[_ring.Length * 2];
                for (var i = 0; i < Count; i++)
                {
                    grown[i] = this[i];
                }

                _ring = grown;
                _head = 0;
            }

            _ring[(_head + Count) % _ring.Length] = ticks;
            Count++;
        }

        public void RemoveOldest()
        {
            _head = (_head + 1) % _ring.Length;
            Count--;
        }

        public void DropUpTo(long horizon)
        {
            while (Count > 0 && this[0] <= horizon)
            {
                RemoveOldest();
            }
        }
    }
}
