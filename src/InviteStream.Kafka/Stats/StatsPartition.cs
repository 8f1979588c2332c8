using System.Globalization;
using System.Text;
using Confluent.Kafka;
using InviteStream.Core.Stats;
using InviteStream.Kafka.Pipeline;
using InviteStream.Kafka.Publishing;
using InviteStream.Kafka.Serialization;
using Microsoft.Extensions.Logging;

namespace InviteStream.Kafka.Stats;

/// <summary>
/// One partition of the partial counts: every replica's partials of the windows keyed to it are
/// added up, and each window's total goes to the stats topic partition of the same number once the
/// window closes (event time or the wall clock past its end plus the grace), and again when a late
/// partial changes it. The totals are restored from the stats topic first; each total names the
/// last partial it holds (a header), so partials read again after a restart are not added twice.
/// A partial's offset completes once a published total holds it.
/// </summary>
internal sealed partial class StatsPartition(
    TopicPartition partition,
    Func<CancellationToken, Task<Dictionary<string, StatsPartition.Total>>> restore,
    Func<StatsRecord, int, long, Task> publish,
    PipelineOptions options,
    PipelineStatistics statistics,
    TimeProvider time,
    ILogger logger) : PartitionWork(partition, options, time, options.MaxInFlightPerPartition)
{
    private readonly TimeSpan _grace = options.StatsGrace;
    private readonly TimeSpan _retention = options.StatsRetention;
    /// <summary>The header of a total naming the offset after the last partial it holds.</summary>
    public const string PartialsThroughHeader = "x-invitestream-partials-through";

    private static readonly TimeSpan PublishInterval = TimeSpan.FromMilliseconds(500);
    private readonly Lock _lock = new();
    private Dictionary<string, Total> _totals = new(StringComparer.Ordinal);
    private DateTimeOffset _newestWindow = DateTimeOffset.MinValue;

    protected override async Task RunAsync(CancellationToken token)
    {
        try
        {
            var restored = await restore(token);
            var now = Time.GetUtcNow();
            lock (_lock)
            {
                _totals = restored.Where(t => !IsForgotten(t.Value.Window, now)).ToDictionary(StringComparer.Ordinal);
            }

            using var publisher = new CancellationTokenSource();
            var publishing = PublishPeriodicallyAsync(publisher.Token);
            await foreach (var item in Inbox.ReadAllAsync(token))
            {
                item.Offsets.Track(item.Record.Offset.Value);
                Add(item);
            }

            // Stopping: what closed meanwhile goes out now; open windows stay uncommitted for the next owner.
            await publisher.CancelAsync();
            await publishing;
            await PublishClosedAsync(token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Abandoned: partials not held by a published total are read again by the next owner.
        }
        catch (Exception ex)
        {
            LogPartitionFailed(ex, Partition.Topic, Partition.Partition.Value);
            Fail(ex);
        }
    }

    private void Add(InboxItem item)
    {
        var offset = item.Record.Offset.Value;
        var key = item.Record.Message.Key is { } bytes ? Encoding.UTF8.GetString(bytes) : "";
        if (item.Record.Message.Value is not { } value || StatsJson.Read(value) is not { } partial)
        {
            LogUnreadable(Partition.Partition.Value, offset);
            item.Offsets.Complete(offset);
            return;
        }

        var now = Time.GetUtcNow();
        lock (_lock)
        {
            if (_totals.TryGetValue(key, out var total) && offset < total.PartialsThrough)
            {
                item.Offsets.Complete(offset); // Held by the total restored.
                return;
            }

            if (total is null && IsForgotten(partial.Window, now))
            {
                statistics.StatsDropped(partial.Counts.OutcomeTotal);
                LogDropped(key, partial.Counts.OutcomeTotal);
                item.Offsets.Complete(offset);
                return;
            }

            total ??= _totals[key] = new Total(partial.Window, new WindowCounts(), 0, 0);
            total.Counts.Add(partial.Counts);
            total.Pending.Add((offset, item.Offsets));
            if (partial.Window.Minute > _newestWindow)
            {
                _newestWindow = partial.Window.Minute;
            }
        }
    }

    private async Task PublishPeriodicallyAsync(CancellationToken token)
    {
        try
        {
            while (true)
            {
                await Task.Delay(PublishInterval, Time, token);
                await PublishClosedAsync(token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    // Every closed window with partials not yet published: its total, then its partials' offsets complete.
    private async Task PublishClosedAsync(CancellationToken token)
    {
        var now = Time.GetUtcNow();
        var sends = new List<Task>();
        lock (_lock)
        {
            foreach (var (key, total) in _totals)
            {
                if (total.Pending.Count == 0 || !IsClosed(total.Window, now))
                {
                    continue;
                }

                var held = total.Pending;
                total.Pending = [];
                total.Revision++;
                total.PartialsThrough = held[^1].Offset + 1;
                var record = new StatsRecord(total.Window, Copy(total.Counts), total.Revision, now);
                sends.Add(SendAsync(record, total.PartialsThrough, held));
            }

            // Long closed and nothing pending: forgotten (a partial for it later is dropped and counted).
            var expired = _totals.Where(t => t.Value.Pending.Count == 0 && IsForgotten(t.Value.Window, now)).Select(t => t.Key).ToList();
            foreach (var key in expired)
            {
                _totals.Remove(key);
            }
        }

        await Task.WhenAll(sends);
    }

    private async Task SendAsync(StatsRecord record, long partialsThrough, List<(long Offset, PartitionOffsets Offsets)> held)
    {
        await publish(record, Partition.Partition.Value, partialsThrough);
        foreach (var (offset, offsets) in held)
        {
            offsets.Complete(offset);
        }
    }

    private bool IsClosed(StatsWindowKey window, DateTimeOffset now)
    {
        var closes = ClosedAt(window);
        return now >= closes || _newestWindow >= closes;
    }

    private DateTimeOffset ClosedAt(StatsWindowKey window) => window.End + _grace;

    // Closed longer than the retention: no longer kept to add late partials to.
    private bool IsForgotten(StatsWindowKey window, DateTimeOffset now) => ClosedAt(window) + _retention < now;

    private static WindowCounts Copy(WindowCounts counts)
    {
        var copy = new WindowCounts();
        copy.Add(counts);
        return copy;
    }

    public static long PartialsThroughOf(Headers? headers) =>
        headers is not null && headers.TryGetLastBytes(PartialsThroughHeader, out var bytes)
            && long.TryParse(Encoding.ASCII.GetString(bytes), NumberStyles.None, CultureInfo.InvariantCulture, out var through)
            ? through
            : 0;

    /// <summary>A window's total so far: what was published (revision, and the partials it held) and the partials added since.</summary>
    internal sealed class Total(StatsWindowKey window, WindowCounts counts, int revision, long partialsThrough)
    {
        public StatsWindowKey Window { get; } = window;

        public WindowCounts Counts { get; } = counts;

        public int Revision { get; set; } = revision;

        public long PartialsThrough { get; set; } = partialsThrough;

        public List<(long Offset, PartitionOffsets Offsets)> Pending { get; set; } = [];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partial counts at {Partition}@{Offset} are unreadable; skipped")]
    private partial void LogUnreadable(int partition, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Statistics of {Window} ({Outcomes} outcomes) arrived after the window was closed longer than Pipeline:StatsRetention; not added")]
    private partial void LogDropped(string window, long outcomes);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The work of {Topic}[{Partition}] died; the worker stops")]
    private partial void LogPartitionFailed(Exception exception, string topic, int partition);
}
