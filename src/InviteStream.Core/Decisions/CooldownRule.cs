using InviteStream.Core.Campaigns;
using InviteStream.Core.State;

namespace InviteStream.Core.Decisions;

/// <summary>
/// How a cooldown is decided. Two rules, both from the guide:
/// <list type="number">
/// <item>Per contact and campaign: at most <c>maxInvitesPerContact</c> invites in any window of
/// <c>cooldownSeconds</c>.</item>
/// <item>Consolidated suppression (on by default): an invite from any other campaign suppresses
/// campaign C until that invite is older than C's <c>cooldownSeconds</c>.</item>
/// </list>
/// An invite at time <c>a</c> is inside C's window at time <c>t</c> while <c>t &lt; a + cooldown</c>.
/// </summary>
public static class CooldownRule
{
    /// <summary>
    /// The earliest time campaign <paramref name="campaign"/> may invite this contact, or null when
    /// it may invite now.
    /// </summary>
    public static DateTimeOffset? SuppressedUntil(
        Campaign campaign, IReadOnlyList<InviteRecord> invites, DateTimeOffset now, bool consolidated) =>
        SuppressedUntil(campaign, invites, now, consolidated, out _);

    /// <param name="byOtherCampaign">True when another campaign's invite (consolidated suppression) is what blocks longest.</param>
    public static DateTimeOffset? SuppressedUntil(
        Campaign campaign, IReadOnlyList<InviteRecord> invites, DateTimeOffset now, bool consolidated, out bool byOtherCampaign)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(invites);

        var cooldown = campaign.Throttling.Cooldown;
        var windowStart = now - cooldown;
        DateTimeOffset? until = null;
        DateTimeOffset? byOther = null;

        // Invites are stored oldest first, so the own-campaign invites in the window come in time order.
        var ownInWindow = 0;
        for (var i = 0; i < invites.Count; i++)
        {
            var invite = invites[i];
            if (invite.At <= windowStart)
            {
                continue;
            }

            if (string.Equals(invite.CampaignId, campaign.Id, StringComparison.Ordinal))
            {
                ownInWindow++;
            }
            else if (consolidated)
            {
                byOther = Later(byOther, invite.At + cooldown);
            }
        }

        var excess = ownInWindow - campaign.Throttling.MaxInvitesPerContact;
        if (excess >= 0)
        {
            // The window must lose (excess + 1) of its oldest own invites before there is room again.
            var toSkip = excess;
            for (var i = 0; i < invites.Count; i++)
            {
                var invite = invites[i];
                if (invite.At <= windowStart || !string.Equals(invite.CampaignId, campaign.Id, StringComparison.Ordinal))
                {
                    continue;
                }

                if (toSkip-- == 0)
                {
                    until = Later(until, invite.At + cooldown);
                    break;
                }
            }
        }

        byOtherCampaign = byOther is { } other && !(until >= other);
        return byOtherCampaign ? byOther : until;
    }

    private static DateTimeOffset Later(DateTimeOffset? current, DateTimeOffset candidate) =>
        current is { } value && value >= candidate ? value : candidate;
}
