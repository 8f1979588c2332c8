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
/// <remarks>
/// Allocation-free except for suppressed decisions: no-match and invite decisions are shared
/// instances, and filter results go to an optional <see cref="IFilterResultSink"/>.
/// </remarks>
public sealed class InviteDecider
{
    private readonly Campaign[] _campaigns;
    private readonly Decision[] _invites;
    private readonly Decision[] _expired;
    private readonly DecisionRules _rules;

    public InviteDecider(IEnumerable<Campaign> campaigns, DecisionRules rules)
    {
        ArgumentNullException.ThrowIfNull(campaigns);
        _rules = rules ?? throw new ArgumentNullException(nameof(rules));
        _campaigns = [.. campaigns
            .Where(c => c.Enabled)
            .OrderBy(c => c.Priority)
            .ThenBy(c => c.Id, StringComparer.Ordinal)];
        _invites = [.. _campaigns.Select(c => new Decision(DecisionKind.Invite, c, null))];
        _expired = [.. _campaigns.Select(c => new Decision(DecisionKind.Expired, c, null))];
    }

    public IReadOnlyList<Campaign> Campaigns => _campaigns;

    /// <summary>Whether an enabled campaign has this id.</summary>
    public bool Knows(string campaignId) => Find(campaignId) is not null;

    /// <summary>The enabled campaign with this id, if any.</summary>
    public Campaign? Find(string campaignId) => Array.Find(_campaigns, c => string.Equals(c.Id, campaignId, StringComparison.Ordinal));

    /// <param name="sink">Receives every non-matching filter of every campaign that did not match; when
    /// null, evaluation of a campaign stops at its first non-matching filter.</param>
    /// <param name="onlyCampaigns">When set, only these campaign ids are considered (the producer named them).</param>
    /// <param name="suppressedByEngineUntil">Until when the engine said it suppresses invites to this contact (whatever the campaign).</param>
    public Decision Decide(
        BehavioralEvent behavioralEvent,
        IReadOnlyList<InviteRecord> invites,
        DateTimeOffset now,
        IFilterResultSink? sink = null,
        IReadOnlyCollection<string>? onlyCampaigns = null,
        DateTimeOffset? suppressedByEngineUntil = null)
    {
        ArgumentNullException.ThrowIfNull(behavioralEvent);
        Decision? suppressed = null;
        for (var i = 0; i < _campaigns.Length; i++)
        {
            var campaign = _campaigns[i];
            if (onlyCampaigns is not null && !onlyCampaigns.Contains(campaign.Id))
            {
                continue;
            }

            var matched = AllFiltersMatch(behavioralEvent, campaign, sink);
            sink?.Evaluated(behavioralEvent, campaign, matched);
            if (!matched)
            {
                continue;
            }

            if (now - behavioralEvent.OccurredAt > _rules.MaxEventAge)
            {
                return _expired[i];
            }

            var until = CooldownRule.SuppressedUntil(campaign, invites, now, _rules.ConsolidatedSuppression, out var byOtherCampaign);
            var byEngine = suppressedByEngineUntil > now && !(until >= suppressedByEngineUntil);
            if (until is null && !byEngine)
            {
                return _invites[i];
            }

            suppressed ??= new Decision(DecisionKind.Suppressed, campaign, byEngine ? suppressedByEngineUntil : until, byEngine, !byEngine && byOtherCampaign);
        }

        return suppressed ?? Decision.NoMatch;
    }

    /// <summary>
    /// Whether no campaign's filters accept the event. Its decision is then <see cref="Decision.NoMatch"/>
    /// whatever the time and the contact's state, since every rule of time or state applies only to
    /// a campaign whose filters matched; <paramref name="sink"/> is told what <see cref="Decide"/> would tell it.
    /// </summary>
    public bool RejectsAll(BehavioralEvent behavioralEvent, IFilterResultSink? sink = null, IReadOnlyCollection<string>? onlyCampaigns = null)
    {
        ArgumentNullException.ThrowIfNull(behavioralEvent);
        foreach (var campaign in _campaigns)
        {
            // First without the sink, which stops a campaign at its first failing filter.
            if ((onlyCampaigns is null || onlyCampaigns.Contains(campaign.Id)) && AllFiltersMatch(behavioralEvent, campaign, null))
            {
                return false;
            }
        }

        if (sink is not null)
        {
            foreach (var campaign in _campaigns)
            {
                if (onlyCampaigns is null || onlyCampaigns.Contains(campaign.Id))
                {
                    AllFiltersMatch(behavioralEvent, campaign, sink);
                    sink.Evaluated(behavioralEvent, campaign, matched: false);
                }
            }
        }

        return true;
    }

    private static bool AllFiltersMatch(BehavioralEvent behavioralEvent, Campaign campaign, IFilterResultSink? sink)
    {
        var attributes = behavioralEvent.Attributes;
        var matched = true;
        var filters = campaign.Filters;
        for (var i = 0; i < filters.Count; i++)
        {
            var result = FilterEvaluator.Evaluate(filters[i], attributes);
            if (result.IsMatch)
            {
                continue;
            }

            matched = false;
            if (sink is null)
            {
                break;
            }

            sink.Report(behavioralEvent, campaign, filters[i], result);
        }

        return matched;
    }
}
