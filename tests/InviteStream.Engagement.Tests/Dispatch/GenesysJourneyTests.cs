using InviteStream.Core.Attributes;
using InviteStream.Core.Dispatch;
using InviteStream.Simulator;

namespace InviteStream.Engagement.Tests.Dispatch;

/// <summary>
/// The journey-segment adapter over HTTP against the simulator's real Genesys paths, one finding of
/// issue 13 each: contacts resolved by identifier lookup (never the contactId taken for a Genesys
/// id), unknown contacts rejected without a retry storm, optional creation, and what an invite does
/// when the contact holds the segment already.
/// </summary>
[TestFixture]
public sealed class GenesysJourneyTests
{
    private static Dictionary<string, string?> Segments(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Engagement:Api"] = "JourneySegments",
            ["Engagement:SegmentIds:guide"] = "seg-high-churn",
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Test]
    public async Task A_contact_is_looked_up_by_the_customers_own_id_once_and_its_genesys_id_reused()
    {
        await using var harness = await DispatchHarness.StartAsync(Segments(("Engagement:SegmentAlreadyAssigned", "Extend")), simulatorOptions: o => o.KnowsEveryContact = false);
        var genesysId = harness.Simulator.State.AddExternalContact("ExternalId", "customer_8842910");

        var first = await harness.Dispatcher.DispatchAsync(harness.Request("ext:customer_8842910"), CancellationToken.None);
        var second = await harness.Dispatcher.DispatchAsync(harness.Request("ext:customer_8842910"), CancellationToken.None);

        Assert.That((first.Status, first.Reason), Is.EqualTo((DispatchStatus.Delivered, "segment_assigned")));
        Assert.That(second.Status, Is.EqualTo(DispatchStatus.Delivered));
        Assert.That(harness.Simulator.Counters.LookupRequestCount, Is.EqualTo(1), "the second invite reuses the looked-up id");
        Assert.That(harness.Simulator.State.SegmentLog, Is.EqualTo(new[] { $"assign {genesysId} seg-high-churn", $"assign {genesysId} seg-high-churn" }));
        Assert.That(harness.Simulator.State.SegmentAssignments.Single().Assignments, Is.EqualTo(2), "Extend: the held segment was only extended");
    }

    [Test]
    public async Task A_contact_id_the_contacts_state_kept_needs_no_lookup_and_a_stale_one_is_looked_up_again()
    {
        await using var harness = await DispatchHarness.StartAsync(Segments(("Engagement:SegmentAlreadyAssigned", "Extend")), simulatorOptions: o => o.KnowsEveryContact = false);
        var genesysId = harness.Simulator.State.AddExternalContact("ExternalId", "gus");

        // As from another replica's or an earlier run's lookup, carried by the contact's state.
        var known = await harness.Dispatcher.DispatchAsync(harness.Request("ext:gus") with { EngineContactId = genesysId }, CancellationToken.None);
        Assert.That((known.Status, known.EngineContactId), Is.EqualTo((DispatchStatus.Delivered, (string?)null)), "nothing new to keep");
        Assert.That(harness.Simulator.Counters.LookupRequestCount, Is.Zero);

        // A contact merged or deleted in Genesys since: 404, one lookup, the new id kept.
        var stale = await harness.Dispatcher.DispatchAsync(harness.Request("ext:gus") with { EngineContactId = "gone-since" }, CancellationToken.None);
        Assert.That((stale.Status, stale.EngineContactId), Is.EqualTo((DispatchStatus.Delivered, genesysId)));
        Assert.That(harness.Simulator.Counters.LookupRequestCount, Is.EqualTo(1));
    }

    [Test]
    public async Task The_identifier_type_and_the_attribute_holding_its_value_are_settings()
    {
        await using var harness = await DispatchHarness.StartAsync(
            Segments(("Engagement:ContactIdentifierType", "Cookie"), ("Engagement:ContactIdentifierAttribute", "session.cookie_id")),
            simulatorOptions: o => o.KnowsEveryContact = false);
        var genesysId = harness.Simulator.State.AddExternalContact("Cookie", "ck-77");
        var attributes = new Dictionary<string, AttributeValue> { ["session.cookie_id"] = AttributeValue.FromString("ck-77") };

        var result = await harness.Dispatcher.DispatchAsync(harness.Request("ext:whoever", eventAttributes: attributes), CancellationToken.None);

        Assert.That(result.Status, Is.EqualTo(DispatchStatus.Delivered));
        Assert.That(harness.Simulator.State.SegmentAssignments.Single().ContactId, Is.EqualTo(genesysId));
    }

    [Test]
    public async Task An_unknown_contact_is_rejected_as_unknown_contact_and_its_next_invites_make_no_call()
    {
        await using var harness = await DispatchHarness.StartAsync(Segments(), simulatorOptions: o => o.KnowsEveryContact = false);

        var results = new List<DispatchResult>();
        for (var i = 0; i < 5; i++)
        {
            results.Add(await harness.Dispatcher.DispatchAsync(harness.Request("ext:stranger"), CancellationToken.None));
        }

        Assert.That(results.Select(r => (r.Status, r.Reason)), Has.All.EqualTo((DispatchStatus.NotEligible, "unknown_contact")));
        Assert.That(InviteStream.Core.Invites.InviteFlow.StatusOf(results[0]), Is.EqualTo((InviteStream.Core.Outcomes.OutcomeStatus.Rejected, "unknown_contact")));
        Assert.That(harness.Simulator.Counters.ApiRequestCount, Is.EqualTo(1), "one lookup; no retry storm");
        Assert.That(harness.Simulator.State.SegmentLog, Is.Empty);
    }

    [Test]
    public async Task A_missing_contact_is_created_when_asked_and_then_assigned()
    {
        await using var harness = await DispatchHarness.StartAsync(Segments(("Engagement:CreateMissingContacts", "true")), simulatorOptions: o => o.KnowsEveryContact = false);

        var result = await harness.Dispatcher.DispatchAsync(harness.Request("ext:newcomer"), CancellationToken.None);

        Assert.That(result.Status, Is.EqualTo(DispatchStatus.Delivered));
        Assert.That(harness.Simulator.Counters.ContactCreationCount, Is.EqualTo(1));
        var created = harness.Simulator.State.FindExternalContact("ExternalId", "newcomer");
        Assert.That(created, Is.Not.Null);
        Assert.That(harness.Simulator.State.SegmentAssignments.Single().ContactId, Is.EqualTo(created));
    }

    [Test]
    public async Task A_held_segment_is_reported_suppressed_until_it_lapses_by_default()
    {
        await using var harness = await DispatchHarness.StartAsync(Segments(), simulatorOptions: o => o.SegmentLifetime = TimeSpan.FromHours(6));

        var first = await harness.Dispatcher.DispatchAsync(harness.Request("ext:dora"), CancellationToken.None);
        var second = await harness.Dispatcher.DispatchAsync(harness.Request("ext:dora"), CancellationToken.None);

        Assert.That(first.Status, Is.EqualTo(DispatchStatus.Delivered));
        var held = harness.Simulator.State.SegmentAssignments.Single();
        Assert.That((second.Status, second.Reason), Is.EqualTo((DispatchStatus.Suppressed, "segment_already_assigned")));
        Assert.That(second.SuppressedUntil!.Value, Is.EqualTo(held.UnassignAt).Within(TimeSpan.FromSeconds(1)), "until Genesys unassigns it");
        Assert.That(held.Assignments, Is.EqualTo(1), "not assigned again");
    }

    [Test]
    public async Task Reassign_unassigns_a_held_segment_then_assigns_it_anew()
    {
        await using var harness = await DispatchHarness.StartAsync(Segments(("Engagement:SegmentAlreadyAssigned", "Reassign")));

        await harness.Dispatcher.DispatchAsync(harness.Request("ext:eve"), CancellationToken.None);
        var again = await harness.Dispatcher.DispatchAsync(harness.Request("ext:eve"), CancellationToken.None);

        var id = harness.Simulator.State.FindExternalContact("ExternalId", "eve");
        Assert.That((again.Status, again.Reason), Is.EqualTo((DispatchStatus.Delivered, "segment_assigned")));
        Assert.That(
            harness.Simulator.State.SegmentLog,
            Is.EqualTo(new[] { $"assign {id} seg-high-churn", $"unassign {id} seg-high-churn", $"assign {id} seg-high-churn" }));
    }

    [Test]
    public async Task Tokens_come_from_the_login_host_and_api_calls_go_to_the_api_host()
    {
        await using var harness = await DispatchHarness.StartAsync(Segments());
        Assert.That(harness.Simulator.LoginUrl.Port, Is.Not.EqualTo(harness.Simulator.BaseUrl.Port), "two listeners, as two hosts");

        var result = await harness.Dispatcher.DispatchAsync(harness.Request("ext:fay"), CancellationToken.None);

        Assert.That(result.Status, Is.EqualTo(DispatchStatus.Delivered));
        Assert.That(harness.Simulator.Counters.TokenRequestCount, Is.EqualTo(1));
        using var http = new HttpClient();
        using var onLoginHost = await http.PostAsync(new Uri(harness.Simulator.LoginUrl, "api/v2/externalcontacts/identifierlookup/contacts"), null);
        Assert.That((int)onLoginHost.StatusCode, Is.EqualTo(404), "the login host serves tokens only");
    }
}
