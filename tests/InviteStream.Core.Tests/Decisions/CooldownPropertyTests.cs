using CsCheck;
using InviteStream.Core.Attributes;
using InviteStream.Core.Campaigns;
using InviteStream.Core.Decisions;
using InviteStream.Core.Events;
using InviteStream.Core.Filters;
using InviteStream.Core.State;

namespace InviteStream.Core.Tests.Decisions;

/// <summary>
/// For any campaigns, event sequence and times: the caps hold in every window, and every
/// suppressed decision names the earliest time the campaign could succeed.
/// </summary>
[TestFixture]
public sealed class CooldownPropertyTests
{
    private static readonly DateTimeOffset Start = new(2026, 5, 21, 14, 0, 0, TimeSpan.Zero);

    private static readonly Gen<(int Cap, int CooldownSeconds)> CampaignGen = Gen.Select(Gen.Int[1, 3], Gen.Int[5, 120], (cap, cooldown) => (cap, cooldown));

    // Each event: milliseconds since the previous one, and which campaigns' filters it satisfies (bit mask).
    private static readonly Gen<(int GapMs, int Mask)> EventGen = Gen.Select(Gen.Int[0, 40_000], Gen.Int[1, 7], (gap, mask) => (gap, mask));

    private static readonly Gen<((int Cap, int CooldownSeconds)[] Campaigns, (int GapMs, int Mask)[] Events, bool Consolidated)> ScenarioGen =
        Gen.Select(CampaignGen.Array[1, 3], EventGen.Array[1, 80], Gen.Bool, (campaigns, events, consolidated) => (campaigns, events, consolidated));

    [Test]
    public void No_contact_ever_gets_more_invites_than_the_caps_allow_and_suppressions_name_the_earliest_time()
    {
        ScenarioGen.Sample(
            scenario =>
            {
                var campaigns = scenario.Campaigns.Select((c, i) => Campaign(i, c.Cap, c.CooldownSeconds)).ToArray();
                var decider = new InviteDecider(campaigns, new DecisionRules(TimeSpan.FromDays(1), scenario.Consolidated));
                var store = new ContactStateStore(TimeSpan.FromSeconds(campaigns.Max(c => c.Throttling.CooldownSeconds)));
                var now = Start;
                foreach (var (gapMs, mask) in scenario.Events)
                {
                    now = now.AddMilliseconds(gapMs);
                    var invites = store.InvitesOf("contact");
                    var decision = decider.Decide(Event(mask, now), invites, now);
                    if (decision.Kind == DecisionKind.Invite)
                    {
                        store.ApplyInvite("contact", decision.Campaign!.Id, now);
                    }
                    else if (decision.Kind == DecisionKind.Suppressed)
                    {
                        AssertEarliest(decision, invites, now, scenario.Consolidated);
                    }
                }

                AssertCaps(campaigns, store.InvitesOf("contact"), scenario.Consolidated);
            },
            iter: 2000,
            seed: "0N0XIzNsQ0O2");
    }

    private static void AssertEarliest(Decision decision, IReadOnlyList<InviteRecord> invites, DateTimeOffset now, bool consolidated)
    {
        var until = decision.SuppressedUntil!.Value;
        Assert.That(until, Is.GreaterThan(now));
        Assert.That(MayInvite(decision.Campaign!, invites, until, consolidated), Is.True, "the campaign may invite at suppressedUntil");
        Assert.That(MayInvite(decision.Campaign!, invites, until.AddTicks(-1), consolidated), Is.False, "the campaign may not invite any earlier");
    }

    // The README's cooldown rules restated here, so the check never asks CooldownRule what is right:
    // an invite at a is inside the campaign's window at t while t < a + cooldown.
    private static bool MayInvite(Campaign campaign, IReadOnlyList<InviteRecord> invites, DateTimeOffset at, bool consolidated)
    {
        var cooldown = campaign.Throttling.Cooldown;
        var ownInWindow = invites.Count(i => i.CampaignId == campaign.Id && at < i.At + cooldown);
        var otherInWindow = invites.Any(i => i.CampaignId != campaign.Id && at < i.At + cooldown);
        return ownInWindow < campaign.Throttling.MaxInvitesPerContact && !(consolidated && otherInWindow);
    }

    private static void AssertCaps(Campaign[] campaigns, IReadOnlyList<InviteRecord> invites, bool consolidated)
    {
        // The store keeps only invites still inside some cooldown; the caps must hold over those.
        foreach (var campaign in campaigns)
        {
            var window = campaign.Throttling.Cooldown;
            var own = invites.Where(i => i.CampaignId == campaign.Id).Select(i => i.At).ToList();
            foreach (var end in own)
            {
                var inWindow = own.Count(at => at > end - window && at <= end);
                Assert.That(inWindow, Is.LessThanOrEqualTo(campaign.Throttling.MaxInvitesPerContact), $"{campaign.Id} over its cap in the window ending {end:O}");
            }

            if (!consolidated)
            {
                continue;
            }

            foreach (var invite in invites.Where(i => i.CampaignId == campaign.Id))
            {
                var blocking = invites.Where(o => o.CampaignId != campaign.Id && o.At <= invite.At && invite.At < o.At + window);
                Assert.That(blocking, Is.Empty, $"{campaign.Id} invited inside another campaign's consolidated suppression");
            }
        }
    }

    private static Campaign Campaign(int index, int cap, int cooldownSeconds) => new(
        $"c{index}",
        $"campaign {index}",
        Enabled: true,
        "realtime",
        [new Filter($"signal.{index}", FilterOperator.Exists, default, AttributeDataType.Boolean)],
        [new CampaignAction(CampaignAction.WebchatInvite, index + 1, null)],
        new Throttling(cap, cooldownSeconds, 1000),
        default);

    private static BehavioralEvent Event(int mask, DateTimeOffset at)
    {
        var attributes = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
        for (var i = 0; i < 3; i++)
        {
            if ((mask & (1 << i)) != 0)
            {
                attributes[$"signal.{i}"] = AttributeValue.FromBoolean(true);
            }
        }

        return new BehavioralEvent("e", "contact", "webchat:primary_embed", at, attributes, null);
    }
}
