using System.Globalization;
using System.Text.Json;
using InviteStream.Core.Campaigns;
using Microsoft.Extensions.Time.Testing;

namespace InviteStream.Simulator.Tests;

/// <summary>The simulated engine's answers to triggers, on a fake clock.</summary>
[TestFixture]
public sealed class EngagementStateTests
{
    private const string Contact = "ext:customer_8842910";

    private static readonly JsonElement Eligible = Json("""
        {"external.churn_probability": 0.87, "session.dwell_time_seconds": 52, "contact.is_authenticated": true}
        """);

    private static readonly JsonElement NumbersAsStrings = Json("""
        {"external.churn_probability": "0.87", "session.dwell_time_seconds": "52", "contact.is_authenticated": true}
        """);

    private FakeTimeProvider _time = null!;
    private EngagementState _state = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(At("14:00:00"));
        _state = new EngagementState(_time);
    }

    [Test]
    public void A_matching_trigger_is_delivered_and_written_to_the_ledger()
    {
        var campaign = Upsert("guide", cooldownSeconds: 3600);

        Assert.That(Trigger(campaign, "req-1"), Is.EqualTo(new TriggerAnswer("delivered", null)));
        Assert.That(
            _state.Ledger.Select(i => (i.CampaignId, i.ContactId, i.ChannelId, i.RequestId, i.CorrelationId, i.DeliveredAt)),
            Is.EqualTo(new[] { ("guide", Contact, "webchat:primary_embed", (string?)"req-1", (string?)"corr-req-1", At("14:00:00")) }));
    }

    [Test]
    public void Numbers_sent_as_strings_are_not_eligible_and_leave_no_suppression()
    {
        var campaign = Upsert("guide", cooldownSeconds: 3600);

        Assert.That(Trigger(campaign, "req-1", NumbersAsStrings), Is.EqualTo(new TriggerAnswer("not_eligible", null)));
        Assert.That(_state.Ledger, Is.Empty);
        Assert.That(_state.SuppressedUntil(Contact), Is.Null);
    }

    [Test]
    public void A_second_trigger_inside_the_cooldown_is_suppressed_until_the_first_invite_leaves_the_window()
    {
        var campaign = Upsert("guide", cooldownSeconds: 3600);
        Trigger(campaign, "req-1");
        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.That(Trigger(campaign, "req-2"), Is.EqualTo(new TriggerAnswer("suppressed", At("15:00:00"))));
        Assert.That(_state.Ledger, Has.Count.EqualTo(1));
    }

    [Test]
    public void A_trigger_exactly_one_cooldown_after_the_invite_is_delivered()
    {
        var campaign = Upsert("guide", cooldownSeconds: 3600);
        Trigger(campaign, "req-1");
        _time.Advance(TimeSpan.FromSeconds(3600));

        Assert.That(Trigger(campaign, "req-2").Status, Is.EqualTo("delivered"));
    }

    [Test]
    public void Max_invites_per_contact_allows_that_many_in_one_window()
    {
        var campaign = Upsert("guide", cooldownSeconds: 3600, maxInvitesPerContact: 2);
        Trigger(campaign, "req-1");
        _time.Advance(TimeSpan.FromMinutes(20));
        var second = Trigger(campaign, "req-2");
        _time.Advance(TimeSpan.FromMinutes(10));
        var third = Trigger(campaign, "req-3");

        Assert.That(new[] { second, third }, Is.EqualTo(new[] { new TriggerAnswer("delivered", null), new TriggerAnswer("suppressed", At("15:00:00")) }));
    }

    [Test]
    public void Another_campaigns_invite_suppresses_for_the_triggered_campaigns_cooldown()
    {
        var pricing = Upsert("pricing", cooldownSeconds: 86400);
        var guide = Upsert("guide", cooldownSeconds: 600);
        Trigger(pricing, "req-1");
        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.That(Trigger(guide, "req-2"), Is.EqualTo(new TriggerAnswer("suppressed", At("14:10:00"))));
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.That(Trigger(guide, "req-3").Status, Is.EqualTo("delivered"));
    }

    [Test]
    public void A_repeated_request_id_gets_the_first_answer_without_a_second_invite()
    {
        var campaign = Upsert("guide", cooldownSeconds: 3600);
        Trigger(campaign, "req-1");
        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.That(Trigger(campaign, "req-1"), Is.EqualTo(new TriggerAnswer("delivered", null)));
        Assert.That(_state.Ledger, Has.Count.EqualTo(1));
    }

    [Test]
    public void A_repeated_request_id_gets_the_first_answer_even_when_its_session_data_now_matches()
    {
        var campaign = Upsert("guide", cooldownSeconds: 3600);
        Trigger(campaign, "req-1", NumbersAsStrings);

        Assert.That(Trigger(campaign, "req-1"), Is.EqualTo(new TriggerAnswer("not_eligible", null)));
        Assert.That(_state.Ledger, Is.Empty);
    }

    [Test]
    public void Triggers_without_a_request_id_are_each_decided()
    {
        var campaign = Upsert("guide", cooldownSeconds: 3600);
        Trigger(campaign, requestId: null);

        Assert.That(Trigger(campaign, requestId: null), Is.EqualTo(new TriggerAnswer("suppressed", At("15:00:00"))));
    }

    [Test]
    public void The_suppression_lookup_answers_when_every_campaign_may_invite_again()
    {
        var shortCooldown = Upsert("short", cooldownSeconds: 600);
        Upsert("long", cooldownSeconds: 3600);
        Trigger(shortCooldown, "req-1");
        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.That(_state.SuppressedUntil(Contact), Is.EqualTo(At("15:00:00")));
        Assert.That(_state.SuppressedUntil("ext:never_invited"), Is.Null);
        _time.Advance(TimeSpan.FromMinutes(55));
        Assert.That(_state.SuppressedUntil(Contact), Is.Null);
    }

    [Test]
    public void Filters_and_throttling_come_from_the_definition_as_written()
    {
        var read = CampaignDefinitions.Read("guide", cooldownSeconds: 3600);
        var campaign = read with { Filters = [], Throttling = new Throttling(MaxInvitesPerContact: 99, CooldownSeconds: 1, MaxInvitesPerMinute: 500) };
        _state.Upsert(campaign);

        Assert.That(Trigger(campaign, "req-1", NumbersAsStrings).Status, Is.EqualTo("not_eligible"));
        Assert.That(Trigger(campaign, "req-2").Status, Is.EqualTo("delivered"));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.That(Trigger(campaign, "req-3"), Is.EqualTo(new TriggerAnswer("suppressed", At("15:00:00"))));
    }

    [Test]
    public void A_campaign_the_engine_cannot_read_is_refused()
    {
        var read = CampaignDefinitions.Read("guide", cooldownSeconds: 3600);
        var filters = """[{ "attributeName": "a", "operator": "around", "value": 1, "dataType": "integer" }]""";
        var unreadable = read with { Definition = Json(CampaignDefinitions.Text("guide", 3600, 1, filters)) };

        Assert.That(_state.TryUpsert(unreadable, out var error), Is.False);
        Assert.That(error, Is.EqualTo("unknown operator 'around'"));
        Assert.That(_state.Campaigns, Is.Empty);
    }

    private Campaign Upsert(string id, int cooldownSeconds, int maxInvitesPerContact = 1)
    {
        var campaign = CampaignDefinitions.Read(id, cooldownSeconds, maxInvitesPerContact);
        _state.Upsert(campaign);
        return campaign;
    }

    private TriggerAnswer Trigger(Campaign campaign, string? requestId, JsonElement? sessionData = null) =>
        _state.Trigger(campaign, Contact, "webchat:primary_embed", sessionData ?? Eligible, requestId, requestId is null ? null : $"corr-{requestId}");

    private static DateTimeOffset At(string time) => DateTimeOffset.Parse($"2026-05-21T{time}Z", CultureInfo.InvariantCulture);

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
