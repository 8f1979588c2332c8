using CsCheck;
using InviteStream.Core.Attributes;
using InviteStream.Core.Campaigns;
using InviteStream.Core.Decisions;
using InviteStream.Core.Events;
using InviteStream.Core.Filters;
using InviteStream.Core.State;

namespace InviteStream.Core.Tests.Decisions;

/// <summary>
/// A replay decides events that no campaign's filters accept as it reads them, out of their turn
/// (<see cref="InviteDecider.RejectsAll"/>). That is only right if such an event's decision is
/// "no match" whatever the time and the contact's invites, and if the filter failures it reports
/// are the ones its decision in turn would report: checked here for any campaigns, events and state.
/// </summary>
[TestFixture]
public sealed class RejectsAllPropertyTests
{
    private static readonly DateTimeOffset Start = new(2026, 5, 21, 14, 0, 0, TimeSpan.Zero);

    // Per campaign: cap, cooldown, and the dwell threshold of its second filter.
    private static readonly Gen<(int Cap, int CooldownSeconds, int Dwell)> CampaignGen =
        Gen.Select(Gen.Int[1, 2], Gen.Int[5, 600], Gen.Int[0, 100], (cap, cooldown, dwell) => (cap, cooldown, dwell));

    // The event: which signals it carries (bit mask), its dwell (or none), its age, the contact's
    // earlier invites (campaign index, seconds before the event), and the campaigns the producer named (bit mask, 0: none named).
    private static readonly Gen<(int Mask, int? Dwell, int AgeSeconds, (int Campaign, int SecondsBefore)[] Invites, int Only)> EventGen =
        Gen.Select(
            Gen.Int[0, 7],
            Gen.Int[0, 120].Select(d => d == 120 ? (int?)null : d),
            Gen.Int[0, 200_000],
            Gen.Select(Gen.Int[0, 2], Gen.Int[0, 900], (c, s) => (c, s)).Array[0, 3],
            Gen.Int[0, 7],
            (mask, dwell, age, invites, only) => (mask, dwell, age, invites, only));

    [Test]
    public void An_event_every_campaign_rejects_is_no_match_at_any_time_and_state_and_reports_the_same_failures()
    {
        Gen.Select(CampaignGen.Array[1, 3], EventGen, Gen.Bool).Sample(
            scenario =>
            {
                var (campaignSpecs, e, consolidated) = scenario;
                var campaigns = campaignSpecs.Select((c, i) => Campaign(i, c.Cap, c.CooldownSeconds, c.Dwell)).ToArray();
                var decider = new InviteDecider(campaigns, new DecisionRules(TimeSpan.FromDays(1), consolidated));
                var occurredAt = Start;
                var now = occurredAt.AddSeconds(e.AgeSeconds);
                var invites = e.Invites
                    .Where(i => i.Campaign < campaigns.Length)
                    .Select(i => new InviteRecord(campaigns[i.Campaign].Id, now.AddSeconds(-i.SecondsBefore)))
                    .OrderBy(i => i.At)
                    .ToList();
                var only = e.Only == 0 ? null : campaigns.Where((_, i) => (e.Only & (1 << i)) != 0).Select(c => c.Id).ToHashSet();
                var behavioralEvent = Event(e.Mask, e.Dwell, occurredAt);

                var outOfTurn = new RecordingSink();
                var rejected = decider.RejectsAll(behavioralEvent, outOfTurn, only);
                var inTurn = new RecordingSink();
                var decision = decider.Decide(behavioralEvent, invites, now, inTurn, only);

                // The oracle: a campaign accepts the event when it carries the campaign's signal and a dwell above its threshold.
                var accepted = campaignSpecs.Where((c, i) => (only is null || only.Contains(campaigns[i].Id)) && (e.Mask & (1 << i)) != 0 && e.Dwell > c.Dwell);
                Assert.That(rejected, Is.EqualTo(!accepted.Any()), "rejects all iff no campaign's filters accept the event");
                if (rejected)
                {
                    Assert.That(decision.Kind, Is.EqualTo(DecisionKind.NoMatch), "whatever the time and the contact's invites");
                    Assert.That(outOfTurn.Lines, Is.EqualTo(inTurn.Lines), "the same filter failures, in the same order");
                }
                else
                {
                    Assert.That(outOfTurn.Lines, Is.Empty, "nothing reported for an event that waits for its turn: it is reported then");
                }
            },
            iter: 3000,
            seed: "0N0XIzNsQ0O2");
    }

    private static Campaign Campaign(int index, int cap, int cooldownSeconds, int dwell) => new(
        $"c{index}",
        $"campaign {index}",
        Enabled: true,
        "realtime",
        [
            new Filter($"signal.{index}", FilterOperator.Exists, default, AttributeDataType.Boolean),
            new Filter("session.dwell", FilterOperator.GreaterThan, AttributeValue.FromInteger(dwell), AttributeDataType.Integer),
        ],
        [new CampaignAction(CampaignAction.WebchatInvite, index + 1, null)],
        new Throttling(cap, cooldownSeconds, 1000),
        default);

    private static BehavioralEvent Event(int mask, int? dwell, DateTimeOffset at)
    {
        var attributes = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
        for (var i = 0; i < 3; i++)
        {
            if ((mask & (1 << i)) != 0)
            {
                attributes[$"signal.{i}"] = AttributeValue.FromBoolean(true);
            }
        }

        if (dwell is { } seconds)
        {
            attributes["session.dwell"] = AttributeValue.FromInteger(seconds);
        }

        return new BehavioralEvent("e", "contact", "webchat:primary_embed", at, attributes, null);
    }

    private sealed class RecordingSink : IFilterResultSink
    {
        public List<string> Lines { get; } = [];

        public void Report(BehavioralEvent behavioralEvent, Campaign campaign, Filter filter, FilterResult result) =>
            Lines.Add($"{campaign.Id} {filter.AttributeName} {result.Kind}");

        public void Evaluated(BehavioralEvent behavioralEvent, Campaign campaign, bool matched) =>
            Lines.Add($"{campaign.Id} evaluated matched={matched}");
    }
}
