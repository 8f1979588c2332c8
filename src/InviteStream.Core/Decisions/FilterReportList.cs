using InviteStream.Core.Campaigns;
using InviteStream.Core.Events;
using InviteStream.Core.Filters;

namespace InviteStream.Core.Decisions;

/// <summary>Collects the failing filters of one decision, e.g. for a <c>not_eligible</c> outcome's reason.</summary>
public sealed class FilterReportList : IFilterResultSink
{
    private readonly List<FilterReport> _reports = [];

    public IReadOnlyList<FilterReport> Reports => _reports;

    public void Report(BehavioralEvent behavioralEvent, Campaign campaign, Filter filter, FilterResult result)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(filter);
        _reports.Add(new FilterReport(campaign.Id, filter.AttributeName, result));
    }

    public void Clear() => _reports.Clear();

    /// <summary><c>campaign:attribute=result</c> pairs joined by <c>;</c>.</summary>
    public override string ToString() => string.Join(';', _reports);
}
