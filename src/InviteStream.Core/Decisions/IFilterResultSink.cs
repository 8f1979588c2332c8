using InviteStream.Core.Campaigns;
using InviteStream.Core.Filters;

namespace InviteStream.Core.Decisions;

/// <summary>
/// Receives every filter that did not match while an event was decided, so mismatches can be
/// counted, logged and reported without the decision itself allocating anything.
/// </summary>
public interface IFilterResultSink
{
    void Report(Campaign campaign, Filter filter, FilterResult result);
}
