using InviteStream.Simulator;

namespace InviteStream.IntegrationTests;

/// <summary>
/// The oracle of campaign caps: the engine's own receive times of the invites it accepted (a trigger
/// re-sent with the same requestId is answered as the first and is no new invite), counted in
/// sliding windows. It knows nothing of the worker's limiters.
/// </summary>
internal sealed class TriggerWindows
{
    private readonly long[] _ticks;
    private readonly long _window;

    public TriggerWindows(IEnumerable<ReceivedTrigger> ledger, string campaignId, TimeSpan window)
    {
        FirstReceived = ledger
            .Where(t => t.CampaignId == campaignId && t.StatusCode == 200)
            .GroupBy(RequestIdOf)
            .ToDictionary(g => g.Key, g => g.Min(t => t.ReceivedAt), StringComparer.Ordinal);
        _ticks = [.. FirstReceived.Values.Select(t => t.UtcTicks).Order()];
        _window = window.Ticks;
    }

    public int Count => _ticks.Length;

    /// <summary>When the engine first received each invite (by requestId).</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> FirstReceived { get; }

    private static string RequestIdOf(ReceivedTrigger trigger) =>
        trigger.Body.TryGetProperty("evaluationContext", out var context) && context.TryGetProperty("requestId", out var id)
            ? id.GetString()!
            : throw new InvalidOperationException("a trigger without a requestId");

    public DateTimeOffset First => new(_ticks[0], TimeSpan.Zero);

    public DateTimeOffset Last => new(_ticks[^1], TimeSpan.Zero);

    /// <summary>The most triggers in any window [t, t + window): the busiest one starts at a trigger.</summary>
    public (int Count, DateTimeOffset Start) Busiest()
    {
        var best = (Count: 0, Start: DateTimeOffset.MinValue);
        var end = 0;
        for (var start = 0; start < _ticks.Length; start++)
        {
            while (end < _ticks.Length && _ticks[end] < _ticks[start] + _window)
            {
                end++;
            }

            if (end - start > best.Count)
            {
                best = (end - start, new DateTimeOffset(_ticks[start], TimeSpan.Zero));
            }
        }

        return best;
    }

    /// <summary>
    /// The fewest triggers in any window [t, t + window) with <paramref name="from"/> ≤ t ≤ <paramref name="to"/>:
    /// a window loses a trigger only just after one leaves its start, so those starts (and
    /// <paramref name="from"/>) are the only candidates.
    /// </summary>
    public (int Count, DateTimeOffset Start) Quietest(DateTimeOffset from, DateTimeOffset to)
    {
        var candidates = _ticks.Select(t => t + 1).Where(t => t >= from.UtcTicks && t <= to.UtcTicks).Prepend(from.UtcTicks);
        return candidates
            .Select(t => (Count: CountIn(t), Start: new DateTimeOffset(t, TimeSpan.Zero)))
            .MinBy(w => w.Count);
    }

    /// <summary>
    /// The triggers received in [<paramref name="from"/>, <paramref name="to"/>) per window length:
    /// a saturated stretch's average use, which one scheduling pause of a loaded machine moves far
    /// less than it moves the quietest single window.
    /// </summary>
    public double PerWindow(DateTimeOffset from, DateTimeOffset to) =>
        (LowerBound(to.UtcTicks) - LowerBound(from.UtcTicks)) * (double)_window / (to - from).Ticks;

    /// <summary>The window from <paramref name="start"/> as its receive times with the gap before each, for a failure's message.</summary>
    public string Describe(DateTimeOffset start)
    {
        var first = LowerBound(start.UtcTicks);
        var end = LowerBound(start.UtcTicks + _window);
        return string.Join(", ", Enumerable.Range(first, end - first).Select(i =>
            $"{new DateTimeOffset(_ticks[i], TimeSpan.Zero):HH:mm:ss.fff}" + (i > 0 ? $" (+{TimeSpan.FromTicks(_ticks[i] - _ticks[i - 1]).TotalMilliseconds:F0} ms)" : "")));
    }

    private int CountIn(long start)
    {
        var first = LowerBound(start);
        var end = LowerBound(start + _window);
        return end - first;
    }

    private int LowerBound(long value)
    {
        var index = Array.BinarySearch(_ticks, value);
        if (index < 0)
        {
            return ~index;
        }

        while (index > 0 && _ticks[index - 1] == value)
        {
            index--;
        }

        return index;
    }
}
