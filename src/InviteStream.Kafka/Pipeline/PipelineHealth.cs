namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// What the consumer side reports about itself for health probes: ready once the group has given
/// this instance its partitions and every one of them has restored its contact state; alive while
/// the poll loop keeps turning.
/// </summary>
public sealed class PipelineHealth(TimeProvider time)
{
    private readonly Lock _lock = new();
    private bool _assigned;
    private bool _stopped;
    private int _restoring;
    private int _owned;
    private long _lastPollTimestamp = time.GetTimestamp();
    private volatile bool _brokersDown;

    /// <summary>False from the client reporting every broker down until a broker answers again.</summary>
    public bool BrokersReachable => !_brokersDown;

    /// <summary>True once partitions are assigned and restored, until shutdown; false while any restore runs.</summary>
    public bool IsReady
    {
        get
        {
            lock (_lock)
            {
                return _assigned && _restoring == 0 && !_stopped;
            }
        }
    }

    public int PartitionsRestoring
    {
        get
        {
            lock (_lock)
            {
                return _restoring;
            }
        }
    }

    public int PartitionsOwned
    {
        get
        {
            lock (_lock)
            {
                return _owned;
            }
        }
    }

    /// <summary>Time since the poll loop last turned; a loop stuck longer than its poll timeout is not alive.</summary>
    public TimeSpan SinceLastPoll => time.GetElapsedTime(Interlocked.Read(ref _lastPollTimestamp));

    internal void BrokersDown() => _brokersDown = true;

    internal void BrokersUp() => _brokersDown = false;

    internal void Polled() => Interlocked.Exchange(ref _lastPollTimestamp, time.GetTimestamp());

    internal void RestoreStarted(int partitions)
    {
        lock (_lock)
        {
            _restoring += partitions;
        }
    }

    /// <summary>The restores begun by <see cref="RestoreStarted"/> are done; <paramref name="owned"/> partitions are now served.</summary>
    internal void RestoreFinished(int partitions, int owned)
    {
        lock (_lock)
        {
            _restoring -= partitions;
            _owned = owned;
            _assigned = true;
        }
    }

    internal void Owned(int owned)
    {
        lock (_lock)
        {
            _owned = owned;
        }
    }

    internal void Stopped()
    {
        lock (_lock)
        {
            _stopped = true;
        }
    }
}
