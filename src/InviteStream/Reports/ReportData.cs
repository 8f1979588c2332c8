using InviteStream.Core;
using InviteStream.Core.Campaigns;
using InviteStream.Core.Stats;

namespace InviteStream.Reports;

/// <summary>
/// What a report shows, for one campaign set over one stretch of event time: filled from a replay's
/// outcomes (<see cref="ReportCollector"/>) or, live, from the <c>invite-stats</c> topic.
/// </summary>
public sealed class ReportData
{
    /// <summary>What was decided, e.g. "deploy/campaigns on events.jsonl".</summary>
    public required string Title { get; init; }

    /// <summary>The width of the time buckets of <see cref="CampaignReport.InvitesOverTime"/>: a minute, or an hour for long ranges.</summary>
    public required TimeSpan Bucket { get; init; }

    /// <summary>The first and last event time seen; null when there were no events.</summary>
    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    /// <summary>Events read; null when the report comes from <c>invite-stats</c>, which counts per campaign.</summary>
    public long? EventsEvaluated { get; init; }

    /// <summary>Events with an outcome about a campaign (matched one).</summary>
    public long EventsMatched { get; init; }

    /// <summary>Contacts that got at least one invite (would-be or delivered); null when the report comes from <c>invite-stats</c>, which keeps no contacts.</summary>
    public long? ContactsReached { get; init; }

    public required IReadOnlyDictionary<string, CampaignReport> Campaigns { get; init; }

    /// <summary>
    /// The report of per-campaign, per-minute <paramref name="windows"/>: a replay's, or those read from
    /// the live <c>invite-stats</c> topic. Caps come from <paramref name="campaigns"/> where it knows the campaign.
    /// </summary>
    public static ReportData FromWindows(
        string title, CampaignSet? campaigns, IReadOnlyDictionary<StatsWindowKey, WindowCounts> windows, long? eventsEvaluated, long? contactsReached)
    {
        ArgumentNullException.ThrowIfNull(windows);
        DateTimeOffset? from = windows.Count == 0 ? null : windows.Keys.Min(k => k.Minute);
        DateTimeOffset? to = windows.Count == 0 ? null : windows.Keys.Max(k => k.Minute);

        // Minutes for up to a day of event time, hours beyond: a chart stays readable.
        var bucket = from is { } f && to is { } t && t - f > TimeSpan.FromDays(1) ? TimeSpan.FromHours(1) : TimeSpan.FromMinutes(1);
        var known = campaigns?.Campaigns.ToDictionary(c => c.Id, StringComparer.Ordinal) ?? [];
        var filterFailures = new WindowCounts();
        foreach (var counts in windows.Values)
        {
            foreach (var (key, count) in counts.FilterResults)
            {
                filterFailures.FilterResults[key] = filterFailures.FilterResults.GetValueOrDefault(key) + count;
            }
        }

        var byCampaign = windows.Where(w => w.Key.CampaignId.Length > 0 && w.Value.OutcomeTotal > 0)
            .GroupBy(w => w.Key.CampaignId, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => CampaignReportOf(g, bucket, known.GetValueOrDefault(g.Key)), StringComparer.Ordinal);
        return new ReportData
        {
            Title = title,
            Bucket = bucket,
            From = from,
            To = to,
            EventsEvaluated = eventsEvaluated,
            EventsMatched = byCampaign.Values.Sum(c => c.Total),
            ContactsReached = contactsReached,
            Campaigns = byCampaign,
            FilterFailures = [.. filterFailures.FilterResults
                .OrderByDescending(f => f.Value)
                .ThenBy(f => f.Key.Attribute, StringComparer.Ordinal)
                .ThenBy(f => f.Key.Kind, StringComparer.Ordinal)
                .Select(f => new FilterFailureCount(f.Key.Attribute, f.Key.Kind, f.Value))],
        };
    }

    private static CampaignReport CampaignReportOf(IEnumerable<KeyValuePair<StatsWindowKey, WindowCounts>> minutes, TimeSpan bucket, Campaign? campaign)
    {
        var total = new WindowCounts();
        var perMinute = new SortedDictionary<DateTimeOffset, (long Invites, long Throttled)>();
        foreach (var (key, counts) in minutes)
        {
            total.Add(counts);
            var invites = counts.Outcomes.GetValueOrDefault("would_deliver") + counts.Outcomes.GetValueOrDefault("delivered");
            var throttled = counts.Outcomes.GetValueOrDefault("throttled");
            if (invites > 0 || throttled > 0)
            {
                perMinute[key.Minute] = (invites, throttled);
            }
        }

        return new CampaignReport
        {
            MaxInvitesPerMinute = campaign?.Throttling.MaxInvitesPerMinute,
            Outcomes = total.Outcomes,
            InvitesOverTime = perMinute
                .GroupBy(m => TimeBuckets.Floor(m.Key, bucket))
                .ToDictionary(g => g.Key, g => g.Sum(m => m.Value.Invites)),
            PerMinute = perMinute.ToDictionary(m => m.Key, m => m.Value),
            SuppressedBy = total.SuppressedBy,
        };
    }


    /// <summary>Filters that did not match, by attribute and kind (<c>missing</c>, <c>type_mismatch</c>, <c>not_matched</c>), most frequent first.</summary>
    public required IReadOnlyList<FilterFailureCount> FilterFailures { get; init; }
}

/// <summary>One campaign's share of a report.</summary>
public sealed class CampaignReport
{
    /// <summary>The campaign's <c>maxInvitesPerMinute</c>, when the campaign is known.</summary>
    public int? MaxInvitesPerMinute { get; init; }

    /// <summary>Outcomes by wire status (<c>would_deliver</c>, <c>delivered</c>, <c>suppressed</c>, ...).</summary>
    public required IReadOnlyDictionary<string, long> Outcomes { get; init; }

    /// <summary>Invites (would-be or delivered) per bucket of event time, bucket start → count.</summary>
    public required IReadOnlyDictionary<DateTimeOffset, long> InvitesOverTime { get; init; }

    /// <summary>Per minute of event time: invites and <c>throttled</c> outcomes, to set against the cap.</summary>
    public required IReadOnlyDictionary<DateTimeOffset, (long Invites, long Throttled)> PerMinute { get; init; }

    /// <summary><c>suppressed</c> outcomes by reason (the campaign's own cooldown, another campaign's invite, the engine).</summary>
    public required IReadOnlyDictionary<string, long> SuppressedBy { get; init; }

    public long Total => Outcomes.Values.Sum();
}

public readonly record struct FilterFailureCount(string Attribute, string Kind, long Count);
