using InviteStream.Core.Campaigns;
using InviteStream.Core.Decisions;
using InviteStream.Core.Events;
using InviteStream.Core.Filters;
using InviteStream.Core.Outcomes;
using InviteStream.Core.Stats;

namespace InviteStream.Reports;

/// <summary>
/// Counts a replay into the per-campaign, per-minute windows the live worker publishes to
/// <c>invite-stats</c> (the same <see cref="StatsAccumulator"/>), plus the distinct contacts reached,
/// which only a replay can know. Memory follows the minutes of event time and the contacts reached,
/// not the number of events.
/// </summary>
public sealed class ReportCollector(CampaignSet campaigns) : IFilterResultSink
{
    private readonly StatsAccumulator _counts = new();
    private readonly HashSet<string> _reached = new(StringComparer.Ordinal);

    public long EventsEvaluated { get; set; }

    public void Count(InviteOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        _counts.Count(outcome);
        if (outcome.Status is OutcomeStatus.WouldDeliver or OutcomeStatus.Delivered)
        {
            _reached.Add(outcome.ContactId);
        }
    }

    public void Report(BehavioralEvent behavioralEvent, Campaign campaign, Filter filter, FilterResult result) =>
        _counts.Report(behavioralEvent, campaign, filter, result);

    public void Evaluated(BehavioralEvent behavioralEvent, Campaign campaign, bool matched) =>
        _counts.Evaluated(behavioralEvent, campaign, matched);

    /// <summary>The report of what was counted; call once, at the end.</summary>
    public ReportData Build(string title) =>
        ReportData.FromWindows(title, campaigns, _counts.TakeAll(), EventsEvaluated, _reached.Count);
}
