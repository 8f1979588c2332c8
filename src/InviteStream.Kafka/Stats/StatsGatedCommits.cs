using InviteStream.Core.Stats;
using InviteStream.Kafka.Pipeline;
using Microsoft.Extensions.Logging;

namespace InviteStream.Kafka.Stats;

/// <summary>
/// The contact stage's commits, held back until the statistics of the events they cover are
/// durable: every flush interval the counts so far are taken and sent as partials, and only once
/// they are acknowledged may each partition commit past what was done when they were taken (an
/// event is counted before its offset completes). A crash then never leaves a committed event
/// uncounted. Everything else is the inner policy's.
/// </summary>
internal sealed partial class StatsGatedCommits(
    ICommitPolicy inner, StatsAccumulator counts, StatsPartialWriter writer, TimeProvider time, ILogger<StatsGatedCommits> logger) : ICommitPolicy
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan FinalFlushTimeout = TimeSpan.FromSeconds(10);
    private readonly HashSet<PartitionOffsets> _held = [];
    private Flush? _flush;
    private long _lastFlushAt;

    public bool IsTransactional => inner.IsTransactional;

    public CommitResult Tick(IReadOnlyCollection<OwnedPartition> owned, CancellationToken cancellationToken)
    {
        Hold(owned);
        ApplyIfDone();
        if (_flush is null && time.GetElapsedTime(_lastFlushAt) >= FlushInterval)
        {
            Start(owned);
        }

        return inner.Tick(owned, cancellationToken);
    }

    // Whatever was counted goes out before the final commit of the leaving partitions. Partials that
    // are not acknowledged in time hold the commit where it was (the events are read again), and the
    // inner policy still commits what it may, reporting a failure of its own.
    public CommitResult CommitLeaving(IReadOnlyCollection<OwnedPartition> leaving, IReadOnlyCollection<OwnedPartition> owned)
    {
        Hold(owned);
        if (WaitAndApply())
        {
            Start(owned);
            WaitAndApply();
        }

        return inner.CommitLeaving(leaving, owned);
    }

    // What the open transaction held is gone, partials included; so are the counts not yet sent,
    // whose events are read and decided again.
    public void AbortOpen()
    {
        inner.AbortOpen();
        if (inner.IsTransactional)
        {
            _flush = null;
            counts.Clear();
        }
    }

    public void Forget(OwnedPartition partition)
    {
        _held.Remove(partition.Offsets);
        inner.Forget(partition);
    }

    private void Hold(IReadOnlyCollection<OwnedPartition> owned)
    {
        foreach (var partition in owned)
        {
            if (_held.Add(partition.Offsets))
            {
                partition.Offsets.HoldUntilCounted();
            }
        }
    }

    private void Start(IReadOnlyCollection<OwnedPartition> owned)
    {
        // Where each partition stands first, then the counts: every event before a cut was counted before its offset completed.
        var cuts = owned.Select(p => (p.Offsets, Cut: p.Offsets.Done)).ToList();
        var windows = counts.TakeAll();
        _lastFlushAt = time.GetTimestamp();
        _flush = new Flush(cuts, windows.Count == 0 ? Task.CompletedTask : writer.WriteAsync(windows, CancellationToken.None));
    }

    private void ApplyIfDone()
    {
        if (_flush is not { Sending.IsCompleted: true } flush)
        {
            return;
        }

        _flush = null;
        if (flush.Sending.Exception is { } failed)
        {
            var cause = failed.GetBaseException();
            LogFlushFailed(cause);
            throw cause;
        }

        foreach (var (offsets, cut) in flush.Cuts)
        {
            offsets.Counted(cut);
        }
    }

    private bool WaitAndApply()
    {
        if (_flush is { } flush && !((IAsyncResult)flush.Sending).AsyncWaitHandle.WaitOne(FinalFlushTimeout))
        {
            LogFlushTimedOut(FinalFlushTimeout);
            return false;
        }

        ApplyIfDone();
        return true;
    }

    private sealed record Flush(IReadOnlyList<(PartitionOffsets Offsets, long Cut)> Cuts, Task Sending);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The statistics were not acknowledged within {Timeout}; the final commit stays where they were counted")]
    private partial void LogFlushTimedOut(TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Sending the statistics failed; the contact stage stops")]
    private partial void LogFlushFailed(Exception exception);
}
