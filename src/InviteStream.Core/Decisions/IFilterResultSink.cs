using InviteStream.Core.Campaigns;
using InviteStream.Core.Events;
using InviteStream.Core.Filters;

namespace InviteStream.Core.Decisions;

/// <summary>
/// Told what the decider evaluated for an event: every filter that did not match, and each campaign
/// evaluated with whether it matched, so filters can be counted, logged and reported without the
/// decision itself allocating anything.
/// </summary>
public interface IFilterResultSink
{
    void Report(BehavioralEvent behavioralEvent, Campaign campaign, Filter filter, FilterResult result);

    /// <summary>After the campaign's filters were evaluated for the event (and its failures reported).</summary>
    void Evaluated(BehavioralEvent behavioralEvent, Campaign campaign, bool matched)
    {
    }
}
