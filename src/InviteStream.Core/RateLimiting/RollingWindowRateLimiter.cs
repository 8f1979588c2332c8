namespace InviteStream.Core.RateLimiting;

/// <summary>
/// At most <c>permitLimit</c> permits in ANY rolling <c>window</c>, on a <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>
/// A token bucket of capacity N lets a full bucket plus its refill exceed N within one window; this
/// keeps the grant times of the last N permits instead, so the next permit is free exactly when the
/// oldest of them leaves the window. Only grants still inside the window are kept, so memory follows
/// the rate actually used, not the limit. Unused budget may be spent at once as a burst. A paced
/// limiter grants at most a twentieth of it at once (at least one), then one permit per window ÷ limit:
/// under sustained demand every window then holds the limit or nearly (a burst followed by a pause
/// a window later would leave the windows between them half empty).
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
    private readonly bool _paced;
    private int _limit;
    private long _pacedSlotTicks;
    private long _lastGrantTicks = long.MinValue;
    private long _slotBeforeLastGrant;
    private bool _closed;
    private DateTimeOffset _blockedUntil = DateTimeOffset.MinValue;
    private bool _disposed;

    /// <param name="paced">Spread grants evenly under sustained demand (see remarks).</param>
    public RollingWindowRateLimiter(int permitLimit, TimeSpan window, TimeProvider time, bool paced = false)
    {
        _paced = paced;
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
        var waiter = Enqueue(deadline, wantsTime: false, cancellationToken, out var grantedAt);
        return waiter is null ? ValueTask.FromResult(grantedAt is not null) : new ValueTask<bool>(waiter.Granted!.Task);
    }

    /// <summary>
    /// Waits for a permit until <paramref name="deadline"/>: the time it was granted, or null when none
    /// can be had by then. The request is queued (first in, first served) when this returns.
    /// </summary>
    public ValueTask<DateTimeOffset?> AcquireGrantAsync(DateTimeOffset deadline, CancellationToken cancellationToken = default)
    {
        var waiter = Enqueue(deadline, wantsTime: true, cancellationToken, out var grantedAt);
        return waiter is null ? ValueTask.FromResult(grantedAt) : new ValueTask<DateTimeOffset?>(waiter.GrantedAt!.Task);
    }

    // Grants at once (grantedAt, no waiter), refuses at once (null, no waiter), or queues a waiter.
    private Waiter? Enqueue(DateTimeOffset deadline, bool wantsTime, CancellationToken cancellationToken, out DateTimeOffset? grantedAt)
    {
        cancellationToken.ThrowIfCancellationRequested();
        grantedAt = null;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_closed)
            {
                throw new OperationCanceledException("The limiter is closed: its budget is moving to another owner.");
            }

            var now = _time.GetUtcNow();
            _grants.DropUpTo((now - _window).UtcTicks);
            if (_waiters.Count == 0 && NextFreeAt(0) <= now)
            {
                Grant(now);
                grantedAt = now;
                return null;
            }

            if (PlannedGrantAt(_waiters.Count, now) > deadline)
            {
                return null;
            }

            var waiter = new Waiter(this, wantsTime);
            waiter.Node = _waiters.AddLast(waiter);
            waiter.Arm(_time, deadline - now, cancellationToken);
            ScheduleLocked(now);
            return waiter;
        }
    }

    /// <summary>The grants still inside the window, oldest first (e.g. to restore them after a restart).</summary>
    public IReadOnlyList<DateTimeOffset> RecentGrants
    {
        get
        {
            lock (_lock)
            {
                _grants.DropUpTo((_time.GetUtcNow() - _window).UtcTicks);
                var grants = new DateTimeOffset[_grants.Count];
                for (var i = 0; i < grants.Length; i++)
                {
                    grants[i] = new DateTimeOffset(_grants[i], TimeSpan.Zero);
                }

                return grants;
            }
        }
    }

    /// <summary>
    /// Counts grants made elsewhere (another process, before a restart) as if made here: those still
    /// inside the window take permits until they leave it.
    /// </summary>
    public void Restore(IEnumerable<DateTimeOffset> grants)
    {
        ArgumentNullException.ThrowIfNull(grants);
        lock (_lock)
        {
            var horizon = (_time.GetUtcNow() - _window).UtcTicks;
            var merged = Enumerable.Range(0, _grants.Count).Select(i => _grants[i])
                .Concat(grants.Select(g => g.UtcTicks).Where(t => t > horizon))
                .Order()
                .TakeLast(_limit)
                .ToList();
            _grants.Clear();
            merged.ForEach(_grants.Add);

            // Restored grants counted until later than now (not yet answered) pace from now.
            var now = _time.GetUtcNow().UtcTicks;
            _pacedSlotTicks = Math.Max(_pacedSlotTicks, Math.Min(merged.Count > 0 ? merged[^1] : 0, now));
            _lastGrantTicks = long.MinValue;
            ScheduleLocked(_time.GetUtcNow());
        }
    }

    /// <summary>
    /// Gives back a permit granted at <paramref name="grantedAt"/> that was not used; false when it is
    /// no longer counted. The latest grant also gives back its pacing slot: the next waiter is served
    /// at once instead of a slot later.
    /// </summary>
    public bool Return(DateTimeOffset grantedAt)
    {
        bool returned;
        lock (_lock)
        {
            returned = _grants.Remove(grantedAt.UtcTicks);
            if (returned && grantedAt.UtcTicks == _lastGrantTicks)
            {
                _pacedSlotTicks = _slotBeforeLastGrant;
                _lastGrantTicks = long.MinValue;
            }
        }

        if (returned)
        {
            Drain();
        }

        return returned;
    }

    /// <summary>
    /// Counts the permit granted at <paramref name="grantedAt"/> as if granted at <paramref name="until"/>
    /// (later): its request may reach the other side any time before it is answered, so its window
    /// starts then. False when it is no longer counted.
    /// </summary>
    public bool Hold(DateTimeOffset grantedAt, DateTimeOffset until)
    {
        lock (_lock)
        {
            if (until <= grantedAt || !_grants.Remove(grantedAt.UtcTicks))
            {
                return false;
            }

            _grants.Insert(until.UtcTicks);
            ScheduleLocked(_time.GetUtcNow());
            return true;
        }
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

    /// <summary>
    /// Grants nothing more: queued requests and any later one are cancelled (not refused), for the
    /// budget's next owner to serve. Grants already made stand.
    /// </summary>
    public void Close()
    {
        List<Waiter> cancelled;
        lock (_lock)
        {
            _closed = true;
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            cancelled = [.. _waiters];
            _waiters.Clear();
        }

        cancelled.ForEach(w => w.Cancel());
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
                waiter.Finish(null);
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

        // Pacing delays only the next grant; for later ones the window alone gives a lower bound.
        if (_paced && ahead == 0 && _grants.Count >= Math.Max(1, _limit / 20))
        {
            free = Max(free, new DateTimeOffset(_pacedSlotTicks, TimeSpan.Zero) + (_window / _limit));
        }

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
        // Paced grants keep to a grid: one served a little late (a timer, a permit held for its
        // answer) does not push every later one back, or each window would lose a little more.
        _lastGrantTicks = now.UtcTicks;
        _slotBeforeLastGrant = _pacedSlotTicks;
        var due = _pacedSlotTicks + (_window / _limit).Ticks;
        var late = now.UtcTicks - due;
        _pacedSlotTicks = late >= 0 && late < (_window / _limit).Ticks ? due : now.UtcTicks;
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
            _grants.DropUpTo((now - _window).UtcTicks);
            while (_waiters.First is { } head && NextFreeAt(0) <= now)
            {
                _waiters.RemoveFirst();
                if (head.Value.Finish(now))
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
            waiter.Finish(null);
        }

        Drain();
    }

    private sealed class Waiter(RollingWindowRateLimiter owner, bool wantsTime)
    {
        private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

        private ITimer? _deadlineTimer;
        private CancellationTokenRegistration _cancellation;

        // One of the two, as the caller asked: a flag, or the time of the grant.
        public TaskCompletionSource<bool>? Granted { get; } = wantsTime ? null : new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<DateTimeOffset?>? GrantedAt { get; } = wantsTime ? new(TaskCreationOptions.RunContinuationsAsynchronously) : null;

        public LinkedListNode<Waiter>? Node { get; set; }

        public void Arm(TimeProvider time, TimeSpan untilDeadline, CancellationToken cancellationToken)
        {
            // A deadline further away than a timer can hold needs no timer: the waiter is served long before.
            if (untilDeadline < MaxTimerDelay)
            {
                _deadlineTimer = time.CreateTimer(_ => owner.Abandon(this, cancelled: false), null, untilDeadline, Timeout.InfiniteTimeSpan);
            }

            if (cancellationToken.CanBeCanceled)
            {
                _cancellation = cancellationToken.Register(() => owner.Abandon(this, cancelled: true));
            }
        }

        /// <param name="grantedAt">When the permit was granted; null when it was refused.</param>
        public bool Finish(DateTimeOffset? grantedAt)
        {
            Release();
            return Granted?.TrySetResult(grantedAt is not null) ?? GrantedAt!.TrySetResult(grantedAt);
        }

        public void Cancel()
        {
            Release();
            _ = Granted?.TrySetCanceled() ?? GrantedAt!.TrySetCanceled();
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

        public void Clear()
        {
            _head = 0;
            Count = 0;
        }

        /// <summary>Adds a grant in time order (after any of the same time), shifting the later ones.</summary>
        public void Insert(long ticks)
        {
            Add(ticks);
            for (var i = Count - 1; i > 0 && this[i - 1] > ticks; i--)
            {
                _ring[(_head + i) % _ring.Length] = this[i - 1];
                _ring[(_head + i - 1) % _ring.Length] = ticks;
            }
        }

        /// <summary>Removes one grant at exactly <paramref name="ticks"/>, keeping the others in order.</summary>
        public bool Remove(long ticks)
        {
            for (var i = Count - 1; i >= 0; i--)
            {
                if (this[i] != ticks)
                {
                    continue;
                }

                for (var j = i; j < Count - 1; j++)
                {
                    _ring[(_head + j) % _ring.Length] = this[j + 1];
                }

                Count--;
                return true;
            }

            return false;
        }
    }
}
