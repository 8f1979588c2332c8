namespace InviteStream.Simulator.Rules;

/// <summary>
/// One contact's suppression tokens: every invite it received, by campaign and time. Suppression
/// is consolidated across campaigns, as the guide's engine always does it.
/// </summary>
internal sealed class CooldownBook
{
    private readonly List<(string CampaignId, DateTimeOffset At)> _invites = [];

    public void Record(string campaignId, DateTimeOffset at) => _invites.Add((campaignId, at));

    /// <summary>
    /// The earliest time <paramref name="campaign"/> could invite this contact, or null when it can
    /// now. An invite at <c>a</c> blocks while <c>now &lt; a + cooldown</c> (the campaign's own
    /// cooldown, also for other campaigns' invites).
    /// </summary>
    public DateTimeOffset? SuppressedUntil(EngineCampaign campaign, DateTimeOffset now)
    {
        var cooldown = campaign.Throttle.Cooldown;
        DateTimeOffset? until = null;
        var ownWindowEnds = new List<DateTimeOffset>();
        foreach (var (campaignId, at) in _invites)
        {
            var end = at + cooldown;
            if (now >= end)
            {
                continue;
            }

            if (string.Equals(campaignId, campaign.Id, StringComparison.Ordinal))
            {
                ownWindowEnds.Add(end);
            }
            else
            {
                until = Latest(until, end);
            }
        }

        var cap = campaign.Throttle.MaxInvitesPerContact;
        if (ownWindowEnds.Count >= cap)
        {
            // Room for one more once only cap - 1 own invites remain in the window.
            ownWindowEnds.Sort();
            until = Latest(until, ownWindowEnds[ownWindowEnds.Count - cap]);
        }

        return until;
    }

    private static DateTimeOffset Latest(DateTimeOffset? current, DateTimeOffset candidate) =>
        current is { } value && value > candidate ? value : candidate;
}
