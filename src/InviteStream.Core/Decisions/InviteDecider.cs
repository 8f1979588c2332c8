using InviteStream.Core.Campaigns;
using InviteStream.Core.Events;
using InviteStream.Core.Filters;
using InviteStream.Core.State;

namespace InviteStream.Core.Decisions;

/// <summary>
/// Decides what one event means for its contact. Enabled campaigns are tried in order of priority
/// (1 = highest), then id; the first whose filters all match and whose cooldown allows it gets the
/// invite. If campaigns matched but all are in cooldown, the decision is <c>Suppressed</c> for the
/// highest-priority one, carrying the earliest time it could succeed. At most one invite per event.
/// </summary>
public sealed class InviteDecider
{
    private readonly Campaign[] _campaigns;
    private readonly DecisionRules _rules;

    public InviteDecider(IEnumerable<Campaign> campaigns, DecisionRules rules)
    {
        ArgumentNullException.ThrowIfNull(campaigns);
        _rules = rules ?? throw new ArgumentNullException(nameof(rules));
        _campaigns = [.. campaigns
            .Where(c => c.Enabled)
            .OrderBy(c => c.Priority)
            .ThenBy(c => c.Id, StringComparer.Ordinal)];
    }

    public IReadOnlyList<Campaign> Campaigns => _campaigns;

    public Decision Decide(BehavioralEvent behavioralEvent, IReadOnlyList<InviteRecord> invites, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(behavioralEvent);
        List<FilterReport>? reports = null;
        Decision? suppressed = null;

        foreach (var campaign in _campaigns)
        {
            if (!AllFiltersMatch(campaign, behavioralEvent, ref reports))
            {
                continue;
            }

            if (now - behavioralEvent.OccurredAt > _rules.MaxEventAge)
            {
                return new Decision(DecisionKind.Expired, campaign, null, []);
            }

            var until = CooldownRule.SuppressedUntil(campaign, invites, now, _rules.ConsolidatedSuppression);
            if (until is null)
            {
                return new Decision(DecisionKind.Invite, campaign, null, []);
            }

            suppressed ??= new Decision(DecisionKind.Suppressed, campaign, until, []);
        }

        return suppressed ?? new Decision(DecisionKind.NoMatch, null, null, (IReadOnlyList<FilterReport>?)reports ?? []);
    }

    private static bool AllFiltersMatch(Campaign campaign, BehavioralEvent behavioralEvent, ref List<FilterReport>? reports)
    {
        var filters = campaign.Filters;
        for (var i = 0; i < filters.Count; i++)
        {
            var result = FilterEvaluator.Evaluate(filters[i], behavioralEvent.Attributes);
            if (result.IsMatch)
            {
                continue;
            }

            // Only failing campaigns are reported, with every filter's result, so the reason names
            // all the attributes that were missing or mistyped, not just the first.
            reports ??= [];
            for (var j = 0; j < filters.Count; j++)
            {
                var filterResult = j == i ? result : FilterEvaluator.Evaluate(filters[j], behavioralEvent.Attributes);
                reports.Add(new FilterReport(campaign.Id, filters[j].AttributeName, filterResult));
            }

            return false;
        }

        return true;
    }
}
