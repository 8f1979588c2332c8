using InviteStream.Core.Attributes;
using InviteStream.Core.Campaigns;
using InviteStream.Core.Decisions;
using InviteStream.Core.Events;
using InviteStream.Core.Filters;
using InviteStream.Core.State;

namespace InviteStream.Core.Tests.Decisions;

/// <summary>The decision rules documented in the README, one test each.</summary>
[TestFixture]
public sealed class DecisionRuleTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 21, 14, 32, 11, TimeSpan.Zero);

    [Test]
    public void Campaigns_are_tried_by_priority_first()
    {
        var decider = Decider(Campaign("a-low", priority: 2), Campaign("z-high", priority: 1));
        Assert.That(decider.Decide(Event(), [], Now).Campaign!.Id, Is.EqualTo("z-high"));
    }

    [Test]
    public void Campaigns_of_equal_priority_are_tried_by_id()
    {
        var decider = Decider(Campaign("b"), Campaign("a"));
        Assert.That(decider.Decide(Event(), [], Now).Campaign!.Id, Is.EqualTo("a"));
    }

    [Test]
    public void A_campaign_whose_filters_do_not_all_match_is_skipped()
    {
        var decider = Decider(Campaign("first", attribute: "absent.attribute"), Campaign("second", priority: 2));
        Assert.That(decider.Decide(Event(), [], Now).Campaign!.Id, Is.EqualTo("second"));
    }

    [Test]
    public void Disabled_campaigns_are_never_chosen()
    {
        var decider = Decider(Campaign("off") with { Enabled = false });
        Assert.That(decider.Decide(Event(), [], Now).Kind, Is.EqualTo(DecisionKind.NoMatch));
    }

    [Test]
    public void Suppressed_until_the_first_invite_leaves_the_cooldown_window()
    {
        var campaign = Campaign("guide", cooldownSeconds: 3600);
        var invitedAt = Now.AddMinutes(-10);
        var decision = Decider(campaign).Decide(Event(), [new InviteRecord("guide", invitedAt)], Now);

        Assert.That(decision.Kind, Is.EqualTo(DecisionKind.Suppressed));
        Assert.That(decision.SuppressedUntil, Is.EqualTo(new DateTimeOffset(2026, 5, 21, 15, 22, 11, TimeSpan.Zero)));
    }

    [Test]
    public void Invites_again_once_the_cooldown_has_passed()
    {
        var decision = Decider(Campaign("guide", cooldownSeconds: 60)).Decide(Event(), [new InviteRecord("guide", Now.AddSeconds(-60))], Now);
        Assert.That(decision.Kind, Is.EqualTo(DecisionKind.Invite));
    }

    [Test]
    public void Up_to_max_invites_per_contact_within_one_window()
    {
        var decider = Decider(Campaign("guide", cooldownSeconds: 600, maxInvitesPerContact: 2));
        var first = new InviteRecord("guide", Now.AddMinutes(-5));
        Assert.That(decider.Decide(Event(), [first], Now).Kind, Is.EqualTo(DecisionKind.Invite));

        var second = new InviteRecord("guide", Now.AddMinutes(-1));
        var decision = decider.Decide(Event(), [first, second], Now);
        Assert.That(decision.Kind, Is.EqualTo(DecisionKind.Suppressed));
        Assert.That(decision.SuppressedUntil, Is.EqualTo(new DateTimeOffset(2026, 5, 21, 14, 37, 11, TimeSpan.Zero)), "room again when the oldest invite leaves the window");
    }

    [Test]
    public void An_invite_by_another_campaign_suppresses_for_this_campaigns_cooldown()
    {
        var other = Campaign("other", priority: 1, attribute: "absent.attribute", cooldownSeconds: 60);
        var guide = Campaign("guide", priority: 2, cooldownSeconds: 3600);
        var invitedAt = Now.AddMinutes(-2);

        var decision = Decider(other, guide).Decide(Event(), [new InviteRecord("other", invitedAt)], Now);

        Assert.That(decision.Kind, Is.EqualTo(DecisionKind.Suppressed));
        Assert.That(decision.Campaign!.Id, Is.EqualTo("guide"));
        Assert.That(decision.SuppressedUntil, Is.EqualTo(new DateTimeOffset(2026, 5, 21, 15, 30, 11, TimeSpan.Zero)));
    }

    [Test]
    public void An_invite_by_another_campaign_exactly_one_cooldown_old_no_longer_suppresses()
    {
        var decision = Decider(Campaign("guide", cooldownSeconds: 3600)).Decide(Event(), [new InviteRecord("other", Now.AddSeconds(-3600))], Now);
        Assert.That(decision.Kind, Is.EqualTo(DecisionKind.Invite));
    }

    [Test]
    public void Without_consolidated_suppression_other_campaigns_invites_do_not_count()
    {
        var decider = new InviteDecider([Campaign("guide")], DecisionRules.Default with { ConsolidatedSuppression = false });
        Assert.That(decider.Decide(Event(), [new InviteRecord("other", Now.AddSeconds(-1))], Now).Kind, Is.EqualTo(DecisionKind.Invite));
    }

    [Test]
    public void A_lower_priority_campaign_invites_when_the_higher_one_is_in_its_own_cooldown()
    {
        var decider = new InviteDecider(
            [Campaign("high", priority: 1), Campaign("low", priority: 2)],
            DecisionRules.Default with { ConsolidatedSuppression = false });
        var decision = decider.Decide(Event(), [new InviteRecord("high", Now.AddSeconds(-1))], Now);
        Assert.That(decision.Kind, Is.EqualTo(DecisionKind.Invite));
        Assert.That(decision.Campaign!.Id, Is.EqualTo("low"));
    }

    [Test]
    public void When_every_matching_campaign_is_blocked_the_highest_priority_one_is_suppressed()
    {
        var invites = new[] { new InviteRecord("high", Now.AddSeconds(-30)) };
        var decision = Decider(Campaign("high", priority: 1, cooldownSeconds: 60), Campaign("low", priority: 2, cooldownSeconds: 600))
            .Decide(Event(), invites, Now);
        Assert.That(decision.Kind, Is.EqualTo(DecisionKind.Suppressed));
        Assert.That(decision.Campaign!.Id, Is.EqualTo("high"));
        Assert.That(decision.SuppressedUntil, Is.EqualTo(new DateTimeOffset(2026, 5, 21, 14, 32, 41, TimeSpan.Zero)));
    }

    [Test]
    public void A_matching_event_older_than_the_maximum_age_expires()
    {
        var decider = new InviteDecider([Campaign("guide")], new DecisionRules(TimeSpan.FromSeconds(30)));
        Assert.That(decider.Decide(Event(occurredAt: Now.AddSeconds(-31)), [], Now).Kind, Is.EqualTo(DecisionKind.Expired));
        Assert.That(decider.Decide(Event(occurredAt: Now.AddSeconds(-30)), [], Now).Kind, Is.EqualTo(DecisionKind.Invite));
    }

    [Test]
    public void An_old_event_that_matches_nothing_is_just_no_match()
    {
        var decider = new InviteDecider([Campaign("guide", attribute: "absent.attribute")], new DecisionRules(TimeSpan.FromSeconds(30)));
        Assert.That(decider.Decide(Event(occurredAt: Now.AddHours(-1)), [], Now).Kind, Is.EqualTo(DecisionKind.NoMatch));
    }

    [Test]
    public void The_sink_hears_every_failing_filter_of_every_failing_campaign_and_nothing_of_the_chosen_one()
    {
        var mistyped = Campaign("mistyped", priority: 1) with
        {
            Filters =
            [
                new Filter("external.churn_probability", FilterOperator.GreaterThan, AttributeValue.FromFloat(0.72), AttributeDataType.Float),
                new Filter("session.missing", FilterOperator.EqualTo, AttributeValue.FromBoolean(true), AttributeDataType.Boolean),
            ],
        };
        var reports = new FilterReportList();
        var attributes = new Dictionary<string, AttributeValue>
        {
            ["external.churn_probability"] = AttributeValue.FromString("0.87"),
            ["signal.present"] = AttributeValue.FromBoolean(true),
        };

        var decision = Decider(mistyped, Campaign("chosen", priority: 2)).Decide(Event(attributes: attributes), [], Now, reports);

        Assert.That(decision.Campaign!.Id, Is.EqualTo("chosen"));
        Assert.That(
            reports.ToString(),
            Is.EqualTo("mistyped:external.churn_probability=type_mismatch(expected=float,actual=string);mistyped:session.missing=missing"));
    }

    [Test]
    public void Invite_and_no_match_decisions_are_shared_instances_so_deciding_allocates_nothing()
    {
        var decider = Decider(Campaign("guide"));
        var first = decider.Decide(Event(), [], Now);
        var second = decider.Decide(Event(), [], Now);
        Assert.That(second, Is.SameAs(first));
        Assert.That(Decider(Campaign("x", attribute: "absent")).Decide(Event(), [], Now), Is.SameAs(Decision.NoMatch));
    }

    private static InviteDecider Decider(params Campaign[] campaigns) => new(campaigns, DecisionRules.Default);

    private static Campaign Campaign(
        string id, int priority = 1, string attribute = "signal.present", int cooldownSeconds = 3600, int maxInvitesPerContact = 1) => new(
        id,
        id,
        Enabled: true,
        "realtime",
        [new Filter(attribute, FilterOperator.EqualTo, AttributeValue.FromBoolean(true), AttributeDataType.Boolean)],
        [new CampaignAction(CampaignAction.WebchatInvite, priority, null)],
        new Throttling(maxInvitesPerContact, cooldownSeconds, 500),
        default);

    private static BehavioralEvent Event(DateTimeOffset? occurredAt = null, Dictionary<string, AttributeValue>? attributes = null) => new(
        "e1",
        "ext:customer_1",
        "webchat:primary_embed",
        occurredAt ?? Now,
        attributes ?? new Dictionary<string, AttributeValue> { ["signal.present"] = AttributeValue.FromBoolean(true) },
        null);
}
