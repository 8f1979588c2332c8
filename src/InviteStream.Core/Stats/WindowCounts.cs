using InviteStream.Core.Filters;
using InviteStream.Core.Outcomes;

namespace InviteStream.Core.Stats;

/// <summary>
/// What one campaign's minute of event time came to: events evaluated against the campaign, events
/// it matched, its filters that did not match (by attribute and kind) and its outcomes (by status,
/// and suppressions by reason). Counts only add up, so partial counts of several partitions merge by
/// <see cref="Add"/>.
/// </summary>
public sealed class WindowCounts
{
    public long EventsEvaluated { get; set; }

    public long EventsMatched { get; set; }

    /// <summary>Non-matching filters by attribute and kind (<c>missing</c>, <c>type_mismatch</c>, <c>not_matched</c>).</summary>
    public Dictionary<(string Attribute, string Kind), long> FilterResults { get; } = [];

    /// <summary>Outcomes by wire status.</summary>
    public Dictionary<string, long> Outcomes { get; } = new(StringComparer.Ordinal);

    /// <summary><c>suppressed</c> outcomes by reason.</summary>
    public Dictionary<string, long> SuppressedBy { get; } = new(StringComparer.Ordinal);

    public long OutcomeTotal => Outcomes.Values.Sum();

    public void CountFilter(string attribute, FilterResultKind kind) => Increment(FilterResults, (attribute, FilterResultKindNames.ToWire(kind)), 1);

    public void CountOutcome(InviteOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        Increment(Outcomes, OutcomeStatusNames.ToWire(outcome.Status), 1);
        if (outcome.Status == OutcomeStatus.Suppressed)
        {
            Increment(SuppressedBy, outcome.Reason ?? "suppressed", 1);
        }
    }

    public void Add(WindowCounts other)
    {
        ArgumentNullException.ThrowIfNull(other);
        EventsEvaluated += other.EventsEvaluated;
        EventsMatched += other.EventsMatched;
        foreach (var (key, count) in other.FilterResults)
        {
            Increment(FilterResults, key, count);
        }

        foreach (var (key, count) in other.Outcomes)
        {
            Increment(Outcomes, key, count);
        }

        foreach (var (key, count) in other.SuppressedBy)
        {
            Increment(SuppressedBy, key, count);
        }
    }

    private static void Increment<TKey>(Dictionary<TKey, long> counts, TKey key, long by)
        where TKey : notnull
    {
        System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, key, out _) += by;
    }
}
