using InviteStream.Core.Attributes;
using InviteStream.Core.Campaigns;
using InviteStream.Core.Decisions;
using InviteStream.Core.Events;
using InviteStream.Core.Filters;
using InviteStream.Core.Outcomes;
using InviteStream.Core.Stats;

namespace InviteStream.Core.Tests.Stats;

/// <summary>
/// The per-campaign, per-minute counts the live stats topic and the report are made of, fed by the
/// real decider. Expected numbers are worked out by hand from the events below.
/// </summary>
[TestFixture]
public sealed class StatsAccumulatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 10, 37, 0, TimeSpan.Zero);

    private static readonly Campaign Churn = new(
        "churn", "churn", true, "realtime",
        [
            new Filter("churn", FilterOperator.GreaterThan, AttributeValue.FromFloat(0.7), AttributeDataType.Float),
            new Filter("dwell", FilterOperator.GreaterThan, AttributeValue.FromInteger(45), AttributeDataType.Integer),
        ],
        [new CampaignAction(CampaignAction.WebchatInvite, 1, null)],
        new Throttling(1, 3600, 30),
        default);

    [Test]
    public void Decisions_count_per_campaign_and_minute_of_event_time_with_every_failing_filter_by_kind()
    {
        var counts = new StatsAccumulator();
        var decider = new InviteDecider([Churn], new DecisionRules(TimeSpan.FromDays(1), ConsolidatedSuppression: true));
        Decide(decider, counts, 5, ("churn", 0.9), ("dwell", 50L));            // matches
        Decide(decider, counts, 20, ("churn", "0.9"), ("dwell", 50L));         // churn: type_mismatch
        Decide(decider, counts, 59.999, ("churn", 0.5));                       // churn: not_matched, dwell: missing
        Decide(decider, counts, 60, ("churn", 0.9), ("dwell", 10L));           // next minute; dwell: not_matched

        var windows = counts.TakeAll();
        var first = windows[new StatsWindowKey("churn", T0)];
        var second = windows[new StatsWindowKey("churn", T0.AddMinutes(1))];
        Assert.Multiple(() =>
        {
            Assert.That(windows, Has.Count.EqualTo(2));
            Assert.That((first.EventsEvaluated, first.EventsMatched), Is.EqualTo((3L, 1L)));
            Assert.That(first.FilterResults, Is.EquivalentTo(new Dictionary<(string, string), long>
            {
                [("churn", "type_mismatch")] = 1,
                [("churn", "not_matched")] = 1,
                [("dwell", "missing")] = 1,
            }));
            Assert.That((second.EventsEvaluated, second.EventsMatched), Is.EqualTo((1L, 0L)));
            Assert.That(second.FilterResults, Is.EquivalentTo(new Dictionary<(string, string), long> { [("dwell", "not_matched")] = 1 }));
            Assert.That(counts.TakeAll(), Is.Empty, "taken counts start again from nothing");
        });
    }

    [Test]
    public void Outcomes_count_by_status_and_suppressions_by_reason_and_those_about_no_campaign_under_the_empty_id()
    {
        var counts = new StatsAccumulator();
        counts.Count(Outcome("churn", OutcomeStatus.Delivered, null, 1));
        counts.Count(Outcome("churn", OutcomeStatus.Suppressed, "cooldown", 2));
        counts.Count(Outcome("churn", OutcomeStatus.Suppressed, "consolidated_suppression", 3));
        counts.Count(Outcome("churn", OutcomeStatus.Suppressed, "cooldown", 4));
        counts.Count(Outcome(null, OutcomeStatus.NotEligible, "churn:churn=missing", 5));

        var windows = counts.TakeAll();
        var churn = windows[new StatsWindowKey("churn", T0)];
        Assert.Multiple(() =>
        {
            Assert.That(churn.Outcomes, Is.EquivalentTo(new Dictionary<string, long> { ["delivered"] = 1, ["suppressed"] = 3 }));
            Assert.That(churn.SuppressedBy, Is.EquivalentTo(new Dictionary<string, long> { ["cooldown"] = 2, ["consolidated_suppression"] = 1 }));
            Assert.That(windows[new StatsWindowKey("", T0)].Outcomes, Is.EquivalentTo(new Dictionary<string, long> { ["not_eligible"] = 1 }));
        });
    }

    [Test]
    public void Counts_from_many_threads_add_up_and_partial_counts_merge_by_adding()
    {
        var counts = new StatsAccumulator();
        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 5_000; i++)
            {
                counts.Count(Outcome("churn", OutcomeStatus.Throttled, "campaign_rate_limit", i % 120));
            }
        });

        var windows = counts.TakeAll();
        var merged = new WindowCounts();
        foreach (var window in windows.Values)
        {
            merged.Add(window);
        }

        Assert.Multiple(() =>
        {
            Assert.That(windows.Keys.Select(k => k.Minute), Is.EquivalentTo(new[] { T0, T0.AddMinutes(1) }));
            Assert.That(merged.Outcomes["throttled"], Is.EqualTo(40_000));
        });
    }

    [TestCase("guide-campaign", "guide-campaign@2026-12-02T10:37Z")]
    [TestCase("odd@id", "odd@id@2026-12-02T10:37Z")]
    [TestCase("", "@2026-12-02T10:37Z")]
    public void A_window_key_is_its_campaign_and_minute_and_reads_back(string campaignId, string text)
    {
        var key = StatsWindowKey.Of(campaignId, T0.AddSeconds(59.5));
        Assert.Multiple(() =>
        {
            Assert.That(key.ToString(), Is.EqualTo(text));
            Assert.That(StatsWindowKey.TryParse(text, out var read), Is.True);
            Assert.That(read, Is.EqualTo(key));
            Assert.That(StatsWindowKey.TryParse("no-minute", out _), Is.False);
        });
    }

    private static void Decide(InviteDecider decider, StatsAccumulator counts, double atSeconds, params (string Name, object Value)[] attributes)
    {
        var values = attributes.ToDictionary(
            a => a.Name,
            a => a.Value switch
            {
                double d => AttributeValue.FromFloat(d),
                long l => AttributeValue.FromInteger(l),
                string s => AttributeValue.FromString(s),
                _ => throw new ArgumentException(a.Name),
            });
        var at = T0.AddSeconds(atSeconds);
        decider.Decide(new BehavioralEvent($"e{atSeconds}", "c1", "web", at, values, null), [], at, counts);
    }

    private static InviteOutcome Outcome(string? campaignId, OutcomeStatus status, string? reason, double atSeconds) => new(
        "c1", campaignId, "e1", status, reason, $"t:0:{atSeconds}", null, T0.AddSeconds(atSeconds), T0.AddSeconds(atSeconds), 1, "t", 0, 0, null);
}
