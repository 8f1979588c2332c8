using System.Globalization;

namespace InviteStream.Core.Stats;

/// <summary>
/// One campaign's minute of event time: the unit the live <c>invite-stats</c> topic and the report
/// count in. Its text, <c>&lt;campaignId&gt;@&lt;minute&gt;</c> (e.g. <c>exit-intent@2026-12-02T10:37Z</c>),
/// is the topic's record key. Outcomes about no campaign (<c>not_eligible</c> when nothing matched)
/// count under the empty campaign id.
/// </summary>
public readonly record struct StatsWindowKey(string CampaignId, DateTimeOffset Minute)
{
    private const string MinuteFormat = "yyyy-MM-dd'T'HH:mm'Z'";

    public DateTimeOffset End => Minute.AddMinutes(1);

    /// <summary>The window of <paramref name="campaignId"/> that holds <paramref name="time"/>.</summary>
    public static StatsWindowKey Of(string? campaignId, DateTimeOffset time) =>
        new(campaignId ?? "", TimeBuckets.Floor(time, TimeSpan.FromMinutes(1)));

    public override string ToString() => $"{CampaignId}@{Minute.UtcDateTime.ToString(MinuteFormat, CultureInfo.InvariantCulture)}";

    /// <summary>Reads a record key; the campaign id is everything before the last <c>@</c>.</summary>
    public static bool TryParse(string text, out StatsWindowKey key)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = text.LastIndexOf('@');
        if (at >= 0 && DateTime.TryParseExact(text[(at + 1)..], MinuteFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var minute))
        {
            key = new StatsWindowKey(text[..at], new DateTimeOffset(minute, TimeSpan.Zero));
            return true;
        }

        key = default;
        return false;
    }
}
