using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace InviteStream.Benchmarks;

/// <summary>
/// The runtime's allocation sample (one event per ~100 KB allocated, naming the type that crossed
/// the mark), counted by type while a worker runs: which objects make up the bytes allocated per event.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentDictionary<string, long> _bytesByType = new(StringComparer.Ordinal);
    private volatile bool _counting;

    public void Start()
    {
        _bytesByType.Clear();
        _counting = true;
    }

    /// <summary>The types that crossed most sampling marks, with the bytes they stand for.</summary>
    public IReadOnlyList<(string Type, long Bytes)> Stop(int top)
    {
        _counting = false;
        return [.. _bytesByType.OrderByDescending(t => t.Value).Take(top).Select(t => (t.Key, t.Value))];
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_counting || eventData.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is not { } payload)
        {
            return;
        }

        var typeName = eventData.PayloadNames?.IndexOf("TypeName") is >= 0 and var typeAt ? payload[typeAt] as string : null;
        var amount = eventData.PayloadNames?.IndexOf("AllocationAmount64") is >= 0 and var amountAt ? Convert.ToInt64(payload[amountAt], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        _bytesByType.AddOrUpdate(typeName ?? "?", amount, (_, sum) => sum + amount);
    }
}
