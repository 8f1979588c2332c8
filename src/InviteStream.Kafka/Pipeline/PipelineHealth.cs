namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// What the consumer side reports about itself for health probes: ready once the group has given
/// this instance its partitions and every one of them has restored its contact state; alive while
/// the poll loop keeps turning and no partition's work has died.
/// </summary>
public sealed class PipelineHealth(TimeProvider time)
{
    private readonly Lock _lock = new();
    private bool _assigned;
    private bool _stopped;
    private int _restoring;
    private int _owned;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _lastPolls = new(StringComparer.Ordinal);
    private readonly long _createdAt = time.GetTimestamp();
    private volatile bool _brokersDown;
    private readonly List<string> _failures = [];

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

    /// <summary>Time since the slowest poll loop last turned; a loop stuck longer than its poll timeout is not alive.</summary>
    public TimeSpan SinceLastPoll => time.GetElapsedTime(_lastPolls.IsEmpty ? _createdAt : _lastPolls.Values.Min());

    /// <summary>What died and why (e.g. a partition's work loop); empty while the pipeline is healthy.</summary>
    public IReadOnlyList<string> Failures
    {
        get
        {
            lock (_lock)
            {
                return [.. _failures];
            }
        }
    }

    /// <summary>A part of the pipeline died: the process is no longer alive and must exit non-zero.</summary>
    internal void Failed(string what, Exception exception)
    {
        lock (_lock)
        {
            _failures.Add($"{what} failed: {exception.GetType().Name}: {exception.Message}");
        }
    }

    internal void BrokersDown() => _brokersDown = true;

    internal void BrokersUp() => _brokersDown = false;

    internal void Polled(string loop) => _lastPolls[loop] = time.GetTimestamp();

    internal void RestoreStarted(int partitions)
    {
        lock (_lock)
        {
            _restoring += partitions;
        }
    }

    /// <summary>A restore begun by <see cref="RestoreStarted"/> is over (done, or abandoned because the partition left).</summary>
    internal void RestoreFinished(int partitions)
    {
        lock (_lock)
        {
            _restoring -= partitions;
        }
    }

    /// <summary>The group assigned this instance <paramref name="owned"/> partitions (possibly none).</summary>
    internal void Owned(int owned)
    {
        lock (_lock)
        {
            _owned = owned;
            _assigned = true;
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
