namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// When an offset may be committed. Events of one partition finish out of order (different
/// contacts run concurrently), but the committable offset only moves past an event once it and
/// every event before it in the partition are done.
/// </summary>
internal sealed class PartitionOffsets
{
    private readonly Lock _lock = new();
    private readonly Queue<long> _pending = new();
    private readonly HashSet<long> _done = [];
    private long _committable = -1;
    private long _countedUpTo = long.MaxValue;

    /// <summary>
    /// The offset to commit (next to read), or -1 when nothing has completed yet; once
    /// <see cref="HoldUntilCounted"/> was called, never past what <see cref="Counted"/> allows.
    /// </summary>
    public long Committable
    {
        get
        {
            lock (_lock)
            {
                return Math.Min(_committable, _countedUpTo);
            }
        }
    }

    /// <summary>Past a contiguous prefix of done events, whether or not their counts are durable yet.</summary>
    public long Done
    {
        get
        {
            lock (_lock)
            {
                return _committable;
            }
        }
    }

    /// <summary>From now on, the committable offset waits for <see cref="Counted"/>: the events' statistics must be durable first.</summary>
    public void HoldUntilCounted()
    {
        lock (_lock)
        {
            if (_countedUpTo == long.MaxValue)
            {
                _countedUpTo = -1;
            }
        }
    }

    /// <summary>The statistics of every event before <paramref name="offset"/> are durable.</summary>
    public void Counted(long offset)
    {
        lock (_lock)
        {
            _countedUpTo = Math.Max(_countedUpTo, offset);
        }
    }

    /// <summary>Registers an offset; offsets must be tracked in the order they were read.</summary>
    public void Track(long offset)
    {
        lock (_lock)
        {
            _pending.Enqueue(offset);
        }
    }

    /// <summary>Registers an offset that is already done (decided where it was read).</summary>
    public void TrackCompleted(long offset)
    {
        lock (_lock)
        {
            if (_pending.Count == 0)
            {
                _committable = offset + 1;
                return;
            }

            _pending.Enqueue(offset);
            _done.Add(offset);
        }
    }

    /// <summary>Marks an offset done, moving the committable offset over any contiguous done prefix.</summary>
    public void Complete(long offset)
    {
        lock (_lock)
        {
            _done.Add(offset);
            while (_pending.TryPeek(out var head) && _done.Remove(head))
            {
                _pending.Dequeue();
                _committable = head + 1;
            }
        }
    }
}
