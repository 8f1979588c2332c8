using InviteStream.Core.Campaigns;
using InviteStream.Core.Decisions;
using InviteStream.Core.Events;
using InviteStream.Core.Filters;
using InviteStream.Core.Outcomes;

namespace InviteStream.Core.Stats;

/// <summary>
/// Counts decisions into <see cref="WindowCounts"/> per campaign and minute of event time, from any
/// number of threads: the decider tells it each campaign evaluated and each filter that did not
/// match, the outcome sink each outcome. <see cref="TakeAll"/> hands over what was counted and
/// starts again from nothing. Threads count into stripes of their own, so deciding threads rarely
/// wait for one another.
/// </summary>
public sealed class StatsAccumulator : IFilterResultSink
{
    private readonly Stripe[] _stripes = [.. Enumerable.Range(0, Math.Max(2, Environment.ProcessorCount * 2)).Select(_ => new Stripe())];

    public void Evaluated(BehavioralEvent behavioralEvent, Campaign campaign, bool matched)
    {
        ArgumentNullException.ThrowIfNull(behavioralEvent);
        ArgumentNullException.ThrowIfNull(campaign);
        var stripe = Mine();
        lock (stripe)
        {
            var counts = stripe.For(StatsWindowKey.Of(campaign.Id, behavioralEvent.OccurredAt));
            counts.EventsEvaluated++;
            if (matched)
            {
                counts.EventsMatched++;
            }
        }
    }

    public void Report(BehavioralEvent behavioralEvent, Campaign campaign, Filter filter, FilterResult result)
    {
        ArgumentNullException.ThrowIfNull(behavioralEvent);
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(filter);
        var stripe = Mine();
        lock (stripe)
        {
            stripe.For(StatsWindowKey.Of(campaign.Id, behavioralEvent.OccurredAt)).CountFilter(filter.AttributeName, result.Kind);
        }
    }

    public void Count(InviteOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var stripe = Mine();
        lock (stripe)
        {
            stripe.For(StatsWindowKey.Of(outcome.CampaignId, outcome.OccurredAt)).CountOutcome(outcome);
        }
    }

    /// <summary>Everything counted since the last call, merged by window.</summary>
    public Dictionary<StatsWindowKey, WindowCounts> TakeAll()
    {
        var all = new Dictionary<StatsWindowKey, WindowCounts>();
        foreach (var stripe in _stripes)
        {
            Dictionary<StatsWindowKey, WindowCounts> taken;
            lock (stripe)
            {
                if (stripe.Windows.Count == 0)
                {
                    continue;
                }

                taken = stripe.Windows;
                stripe.Windows = [];
            }

            foreach (var (key, counts) in taken)
            {
                if (all.TryGetValue(key, out var merged))
                {
                    merged.Add(counts);
                }
                else
                {
                    all[key] = counts;
                }
            }
        }

        return all;
    }

    /// <summary>Forgets what was counted and not taken.</summary>
    public void Clear() => TakeAll();

    private Stripe Mine() => _stripes[(uint)Environment.CurrentManagedThreadId % (uint)_stripes.Length];

    private sealed class Stripe
    {
        public Dictionary<StatsWindowKey, WindowCounts> Windows { get; set; } = [];

        public WindowCounts For(StatsWindowKey key)
        {
            if (!Windows.TryGetValue(key, out var counts))
            {
                Windows[key] = counts = new WindowCounts();
            }

            return counts;
        }
    }
}
