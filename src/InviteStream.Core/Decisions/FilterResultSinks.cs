using InviteStream.Core.Campaigns;
using InviteStream.Core.Events;
using InviteStream.Core.Filters;

namespace InviteStream.Core.Decisions;

/// <summary>Tells two sinks the same, e.g. telemetry and the per-minute statistics.</summary>
public sealed class FilterResultSinks(IFilterResultSink first, IFilterResultSink second) : IFilterResultSink
{
    public void Report(BehavioralEvent behavioralEvent, Campaign campaign, Filter filter, FilterResult result)
    {
        first.Report(behavioralEvent, campaign, filter, result);
        second.Report(behavioralEvent, campaign, filter, result);
    }

    public void Evaluated(BehavioralEvent behavioralEvent, Campaign campaign, bool matched)
    {
        first.Evaluated(behavioralEvent, campaign, matched);
        second.Evaluated(behavioralEvent, campaign, matched);
    }
}
