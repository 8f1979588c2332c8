using InviteStream.Core.Attributes;
using InviteStream.Core.Campaigns;
using InviteStream.Core.Events;
using InviteStream.Core.Filters;
using InviteStream.Core.Outcomes;
using InviteStream.Core.Replay;

namespace InviteStream.Core.Tests.Replay;

/// <summary>
/// A replay decides on event time. Every expectation below is worked out by hand from the guide's
/// rules (cooldown window <c>[a, a + cooldown)</c>, at most <c>maxInvitesPerMinute</c> in any rolling
/// minute, paced one per 60 s ÷ cap, an invite worth sending until its event's time + 10 s).
/// </summary>
[TestFixture]
public sealed class ReplaySessionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    [Test]
    public void An_invite_is_would_deliver_at_its_events_time_and_a_cooldown_ends_exactly_at_its_end()
    {
        var outcomes = Replay([Campaign("a", cooldownSeconds: 600)],
            (0, "c1", "a"),
            (599.999, "c1", "a"),
            (600, "c1", "a"));

        Assert.That(outcomes.Select(o => (o.Status, o.Reason, o.DecidedAt)), Is.EqualTo(new[]
        {
            (OutcomeStatus.WouldDeliver, (string?)null, T0),
            (OutcomeStatus.Suppressed, "cooldown", T0.AddSeconds(599.999)),
            (OutcomeStatus.WouldDeliver, null, T0.AddSeconds(600)),
        }));
        Assert.That(outcomes[1].SuppressedUntil, Is.EqualTo(T0.AddSeconds(600)));
    }

    [Test]
    public void The_minute_window_rolls_over_on_event_time_and_an_invite_waits_for_its_permit_until_its_deadline()
    {
        // Cap 2 a minute: one now, then one every 30 s. New contacts each time.
        var outcomes = Replay([Campaign("a", maxInvitesPerMinute: 2)],
            (0, "c1", "a"),      // granted at 0
            (1, "c2", "a"),      // next slot at 30, past its deadline (11): throttled at once
            (25, "c3", "a"),     // waits for the slot at 30 (deadline 35): granted at 30
            (45, "c4", "a"),     // next free at 60 (the grant at 0 leaves the window), past its deadline (55): throttled at once
            (52, "c5", "a"),     // waits (deadline 62): granted at 60, the window having rolled over
            (60.5, "c6", "a"));  // the next slot is at 90: throttled at once

        var byContact = outcomes.ToDictionary(o => o.ContactId);
        Assert.Multiple(() =>
        {
            Assert.That(Summary(byContact["c1"]), Is.EqualTo((OutcomeStatus.WouldDeliver, (string?)null, 0.0)));
            Assert.That(Summary(byContact["c2"]), Is.EqualTo((OutcomeStatus.Throttled, "campaign_rate_limit", 1.0)));
            Assert.That(Summary(byContact["c3"]), Is.EqualTo((OutcomeStatus.WouldDeliver, (string?)null, 30.0)));
            Assert.That(Summary(byContact["c4"]), Is.EqualTo((OutcomeStatus.Throttled, "campaign_rate_limit", 45.0)));
            Assert.That(Summary(byContact["c5"]), Is.EqualTo((OutcomeStatus.WouldDeliver, (string?)null, 60.0)));
            Assert.That(Summary(byContact["c6"]), Is.EqualTo((OutcomeStatus.Throttled, "campaign_rate_limit", 60.5)));
            Assert.That(byContact["c3"].DecisionLatencyMs, Is.EqualTo(5000), "the wait for the permit, in event time");
        });
    }

    [Test]
    public void Invites_queue_for_paced_permits_in_event_time_and_the_last_reaches_its_deadline_while_waiting()
    {
        // Cap 20 a minute: one now, then one every 3 s; each invite worth sending for 10 s.
        var outcomes = Replay([Campaign("a", maxInvitesPerMinute: 20)],
            (0, "c1", "a"),      // granted at 0
            (0.5, "c2", "a"),    // the slot at 3
            (1, "c3", "a"),      // the slot at 6
            (1.2, "c4", "a"),    // the slot at 9
            (1.4, "c5", "a"));   // the slot at 12 is past its deadline (11.4): throttled when it is reached

        Assert.That(outcomes.Select(o => (o.ContactId, o.Status, Math.Round((o.DecidedAt - T0).TotalSeconds, 3))), Is.EqualTo(new[]
        {
            ("c1", OutcomeStatus.WouldDeliver, 0.0),
            ("c2", OutcomeStatus.WouldDeliver, 3.0),
            ("c3", OutcomeStatus.WouldDeliver, 6.0),
            ("c4", OutcomeStatus.WouldDeliver, 9.0),
            ("c5", OutcomeStatus.Throttled, 11.4),
        }));
    }

    [Test]
    public void An_invite_by_one_campaign_suppresses_the_other_until_the_others_cooldown_ends()
    {
        var outcomes = Replay([Campaign("a", cooldownSeconds: 60, priority: 1), Campaign("b", cooldownSeconds: 120, priority: 2)],
            (0, "c1", "a"),
            (100, "c1", "b"),
            (120, "c1", "b"));

        Assert.That(outcomes.Select(o => (o.CampaignId, o.Status, o.Reason)), Is.EqualTo(new[]
        {
            ("a", OutcomeStatus.WouldDeliver, (string?)null),
            ("b", OutcomeStatus.Suppressed, "consolidated_suppression"),
            ("b", OutcomeStatus.WouldDeliver, null),
        }));
        Assert.That(outcomes[1].SuppressedUntil, Is.EqualTo(T0.AddSeconds(120)));
    }

    [Test]
    public void A_contacts_next_event_waits_while_its_invite_waits_for_a_permit()
    {
        // c1's invite at 25 waits for the slot at 30; its event at 26 is decided after it, in the cooldown.
        var outcomes = Replay([Campaign("a", maxInvitesPerMinute: 2, cooldownSeconds: 600)],
            (0, "c0", "a"),
            (25, "c1", "a"),
            (26, "c1", "a"));

        Assert.That(outcomes.Select(o => (o.ContactId, o.Status, o.DecidedAt)), Is.EqualTo(new[]
        {
            ("c0", OutcomeStatus.WouldDeliver, T0),
            ("c1", OutcomeStatus.WouldDeliver, T0.AddSeconds(30)),
            ("c1", OutcomeStatus.Suppressed, T0.AddSeconds(30)),
        }));
    }

    [Test]
    public void Input_shuffled_within_the_lateness_bound_gives_identical_outcomes_and_later_input_is_counted_late()
    {
        var campaigns = new[] { Campaign("a", maxInvitesPerMinute: 5, cooldownSeconds: 300), Campaign("b", maxInvitesPerMinute: 3, cooldownSeconds: 120, priority: 2) };
        var random = new Random(11);
        var events = Enumerable.Range(0, 2000)
            .Select(i => (At: i * 0.7, Contact: $"c{random.Next(60)}", Campaign: random.Next(3) == 0 ? "b" : "a"))
            .ToArray();
        var ordered = Replay(campaigns, events);

        // Each event moved up to 30 s away from its place (lateness bound: 1 h).
        var shuffled = events.Select((e, i) => (Key: e.At + (random.NextDouble() * 30), Event: e, Line: i)).OrderBy(x => x.Key).ToArray();
        var session = Session(campaigns, out var replayed);
        foreach (var (_, e, line) in shuffled)
        {
            session.Add(Event(e.At, e.Contact, e.Campaign), new EventOrigin("events.jsonl", 0, line));
        }

        session.Complete();
        Assert.That(replayed, Is.EqualTo(ordered));
        Assert.That(session.Late, Is.Zero);
        Assert.That(ordered.Count(o => o.Status == OutcomeStatus.WouldDeliver), Is.InRange(100, 1500), "the rules had something to do");

        // With a 5 s bound the same shuffle leaves events behind: they are counted.
        var strict = Session(campaigns, out _, maxLateness: TimeSpan.FromSeconds(5));
        foreach (var (_, e, line) in shuffled)
        {
            strict.Add(Event(e.At, e.Contact, e.Campaign), new EventOrigin("events.jsonl", 0, line));
        }

        strict.Complete();
        Assert.That(strict.Late, Is.GreaterThan(0));
        Assert.That(strict.Decided, Is.EqualTo(events.Length), "late events are decided too, at the replay's time");
    }

    [Test]
    public void Events_no_campaign_accepts_are_decided_as_they_are_read_and_change_no_outcome()
    {
        var campaigns = new[] { Campaign("a", maxInvitesPerMinute: 2, cooldownSeconds: 30) };
        var random = new Random(5);
        var events = Enumerable.Range(0, 600).Select(i => (At: i * 0.5, Contact: $"c{random.Next(20)}", Campaign: random.Next(4) == 0 ? "a" : "none")).ToArray();
        var withoutRejected = Replay(campaigns, [.. events.Where(e => e.Campaign == "a")]);

        var session = Session(campaigns, out var outcomes);
        for (var i = 0; i < events.Length; i++)
        {
            var decidedBefore = session.Decided;
            session.Add(Event(events[i].At, events[i].Contact, events[i].Campaign), new EventOrigin("events.jsonl", 0, i));
            if (events[i].Campaign == "none")
            {
                Assert.That(session.Decided, Is.GreaterThan(decidedBefore), "decided as read, not an hour of event time later");
            }
        }

        session.Complete();
        Assert.That(session.Decided, Is.EqualTo(events.Length));
        Assert.That(outcomes.Select(Decided), Is.EqualTo(withoutRejected.Select(Decided)), "the accepted events' outcomes are what they are without the others");

        // When every rejection is an outcome (not_eligible), each takes its turn behind its contact's earlier events.
        var emitting = new ReplaySession(new CampaignSet(campaigns), ReplaySettings.Default with { EmitNotEligible = true }, (outcomes = []).Add);
        for (var i = 0; i < events.Length; i++)
        {
            emitting.Add(Event(events[i].At, events[i].Contact, events[i].Campaign), new EventOrigin("events.jsonl", 0, i));
        }

        Assert.That(emitting.Decided, Is.Zero, "within the lateness bound nothing is decided before the input ends");
        emitting.Complete();
        Assert.That(outcomes.Count(o => o.Status == OutcomeStatus.NotEligible), Is.EqualTo(events.Count(e => e.Campaign == "none")));
        Assert.That(outcomes.GroupBy(o => o.ContactId).Select(c => c.Select(o => o.OccurredAt)), Has.All.Ordered, "each contact's outcomes in its events' order");
    }

    [Test]
    public void Contacts_whose_cooldowns_ended_are_dropped_as_event_time_moves_on()
    {
        var session = Session([Campaign("a", cooldownSeconds: 60)], out var outcomes);
        for (var i = 0; i < 5000; i++)
        {
            session.Add(Event(i * 2.0, $"c{i}", "a"), new EventOrigin("events.jsonl", 0, i));
        }

        session.Complete();
        Assert.That(outcomes, Has.Count.EqualTo(5000));
        Assert.That(session.ActiveContacts, Is.LessThan(200), "about a cooldown's worth of contacts, not all 5 000");
    }

    private static (string, OutcomeStatus, string?, DateTimeOffset, DateTimeOffset?) Decided(InviteOutcome o) => (o.EventId, o.Status, o.Reason, o.DecidedAt, o.SuppressedUntil);

    private static (OutcomeStatus, string?, double) Summary(InviteOutcome o) => (o.Status, o.Reason, Math.Round((o.DecidedAt - T0).TotalSeconds, 3));

    private static List<InviteOutcome> Replay(Campaign[] campaigns, params (double At, string Contact, string Campaign)[] events)
    {
        using var session = Session(campaigns, out var outcomes);
        for (var i = 0; i < events.Length; i++)
        {
            session.Add(Event(events[i].At, events[i].Contact, events[i].Campaign), new EventOrigin("events.jsonl", 0, i));
        }

        session.Complete();
        return outcomes;
    }

    private static ReplaySession Session(Campaign[] campaigns, out List<InviteOutcome> outcomes, TimeSpan? maxLateness = null)
    {
        var collected = outcomes = [];
        return new ReplaySession(
            new CampaignSet(campaigns),
            ReplaySettings.Default with { MaxLateness = maxLateness ?? TimeSpan.FromHours(1) },
            collected.Add);
    }

    // Each campaign matches events whose "wants" attribute names it.
    private static Campaign Campaign(string id, int maxInvitesPerMinute = 100, int cooldownSeconds = 3600, int priority = 1) => new(
        id,
        id,
        Enabled: true,
        "realtime",
        [new Filter("wants", FilterOperator.EqualTo, AttributeValue.FromString(id), AttributeDataType.String)],
        [new CampaignAction(CampaignAction.WebchatInvite, priority, null)],
        new Throttling(1, cooldownSeconds, maxInvitesPerMinute),
        default);

    private static BehavioralEvent Event(double atSeconds, string contactId, string wants) => new(
        $"e-{contactId}-{atSeconds}",
        contactId,
        "webchat:primary_embed",
        T0.AddSeconds(atSeconds),
        new Dictionary<string, AttributeValue> { ["wants"] = AttributeValue.FromString(wants) },
        null);
}
