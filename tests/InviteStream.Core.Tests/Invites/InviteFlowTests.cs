using InviteStream.Core.Attributes;
using InviteStream.Core.Campaigns;
using InviteStream.Core.Decisions;
using InviteStream.Core.Dispatch;
using InviteStream.Core.Events;
using InviteStream.Core.Filters;
using InviteStream.Core.Invites;
using InviteStream.Core.Outcomes;
using InviteStream.Core.State;
using Microsoft.Extensions.Time.Testing;

namespace InviteStream.Core.Tests.Invites;

/// <summary>The per-event use case, end to end through its ports, on a fake clock.</summary>
[TestFixture]
public sealed class InviteFlowTests
{
    private static readonly DateTimeOffset Start = new(2026, 5, 21, 14, 32, 11, 123, TimeSpan.Zero);
    private static readonly EventOrigin Origin = new("behavioral-events", 3, 42);
    private static readonly EventOrigin Results = new("results", 3, 7);

    private FakeTimeProvider _time = null!;
    private RecordingGrantLog _grants = null!;
    private CampaignPermits _permits = null!;
    private ScriptedDispatcher _dispatcher = null!;
    private RecordingOutcomes _outcomes = null!;
    private RecordingStateLog _stateLog = null!;
    private ContactStateStore _contacts = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(Start);
        _grants = new RecordingGrantLog();
        _permits = new CampaignPermits(_grants, _time, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(11));
        _dispatcher = new ScriptedDispatcher();
        _stateLog = new RecordingStateLog();
        _outcomes = new RecordingOutcomes { States = _stateLog };
        _contacts = new ContactStateStore(TimeSpan.FromDays(1));
    }

    [TearDown]
    public void TearDown() => _permits.Dispose();

    [Test]
    public async Task A_matching_event_is_sent_with_its_filter_attributes_and_pass_through_ones_and_recorded_as_delivered()
    {
        var input = Input(attributes: new()
        {
            ["signal.present"] = AttributeValue.FromBoolean(true),
            ["browser.locale"] = AttributeValue.FromString("en-US"),
            ["unrelated.attribute"] = AttributeValue.FromInteger(7),
        });
        _time.Advance(TimeSpan.FromMilliseconds(250));

        var outcome = await RunAsync(Flow(), input);

        var request = _dispatcher.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(request.SessionData.Keys, Is.EquivalentTo(new[] { "signal.present", "browser.locale" }));
            Assert.That(request.RequestId, Is.EqualTo("behavioral-events:3:42"));
            Assert.That(request.Deadline, Is.EqualTo(Start.AddSeconds(10)));
            Assert.That(request.HasLocalHistory, Is.False);
            Assert.That(request.FirstAttemptReserved, Is.True, "the API permit was taken with the campaign's");
            Assert.That(outcome!.Status, Is.EqualTo(OutcomeStatus.Delivered));
            Assert.That(outcome.Reason, Is.Null);
            Assert.That(outcome.RequestId, Is.EqualTo("behavioral-events:3:42"));
            Assert.That(outcome.SourcePartition, Is.EqualTo(3));
            Assert.That(outcome.SourceOffset, Is.EqualTo(42));
            Assert.That(outcome.DecidedAt, Is.EqualTo(Start.AddMilliseconds(250)));
            Assert.That(outcome.DecisionLatencyMs, Is.EqualTo(250).Within(1));
            Assert.That(_outcomes.Published, Is.EqualTo(new[] { outcome }));
            Assert.That(_contacts.InvitesOf("ext:c1"), Is.EqualTo(new[] { new InviteRecord("guide", Start.AddMilliseconds(250)) }));
            Assert.That(_contacts.PendingOf("ext:c1"), Is.Null, "the result settled the pending invite");
            Assert.That(_grants.Recorded.Single().Grants, Is.EqualTo(new[] { new Grant(Start.AddMilliseconds(250), "behavioral-events:3:42") }));
        });
    }

    [Test]
    public async Task The_pending_invite_is_recorded_before_the_trigger_leaves_and_the_settlement_with_its_outcome()
    {
        var flow = Flow();
        var step = await flow.DecideAsync(Input(), _contacts, _stateLog, null, CancellationToken.None);

        Assert.That(step.Trigger, Is.Not.Null);
        Assert.That(step.Outcome, Is.Null);
        Assert.That(_stateLog.Appended.Single().Pending, Is.EqualTo(new PendingInvite("behavioral-events:3:42", "guide", Start, Origin)));

        var result = await flow.DispatchAsync(step.Trigger!, _permits, new DispatchTurn(null), CancellationToken.None);
        await flow.SettleAsync(step.Trigger!, result, _contacts, _stateLog, Results, CancellationToken.None);

        Assert.That(_stateLog.Appended, Has.Count.EqualTo(2));
        Assert.That(_stateLog.Appended[1].Pending, Is.Null);
        Assert.That(_stateLog.Appended[1].Decisions.Single().ReadFrom, Is.EqualTo(Results));
        Assert.That(_outcomes.PublishedAfterStates, Is.EqualTo(new[] { 2 }), "the outcome went out with the settled state");
    }

    [Test]
    public async Task A_decided_outcome_is_published_only_once_its_state_record_is_durable()
    {
        var flow = await InvitedFiveMinutesAgoAsync();
        var stateDurable = _stateLog.HoldNext();

        var deciding = flow.DecideAsync(InputsFiveMinutesLater(43)[0], _contacts, _stateLog, null, CancellationToken.None);

        Assert.That(_stateLog.Appended, Has.Count.EqualTo(3), "the suppression is being remembered");
        Assert.That(_outcomes.Published, Has.Count.EqualTo(1), "a re-decision after a crash could differ, so its outcome waits for the record");
        stateDurable.SetResult();
        var step = await deciding;
        Assert.That(step.Outcome!.Status, Is.EqualTo(OutcomeStatus.Suppressed));
        Assert.That(_outcomes.Published, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A_contacts_events_decided_together_write_one_state_record_before_any_of_their_outcomes_which_keep_their_order()
    {
        var flow = await InvitedFiveMinutesAgoAsync();
        var stateDurable = _stateLog.HoldNext();
        var inputs = InputsFiveMinutesLater(43, 44, 45);

        var deciding = flow.DecideAsync(inputs, _contacts, _stateLog, null, null, CancellationToken.None);

        Assert.That(_stateLog.Appended, Has.Count.EqualTo(3), "one record for the three events");
        Assert.That(_stateLog.Appended[^1].Decisions.Select(d => d.ReadFrom.Offset), Is.SupersetOf(new long[] { 43, 44, 45 }), "it remembers all three answers");
        Assert.That(_outcomes.Published, Has.Count.EqualTo(1), "no outcome before the record is durable");
        stateDurable.SetResult();
        var decided = await deciding;
        Assert.That(decided.Select(d => d.Outcome!.Status), Is.EqualTo(Enumerable.Repeat(OutcomeStatus.Suppressed, 3)));
        Assert.That(_outcomes.Published.Skip(1).Select(o => o.SourceOffset), Is.EqualTo(new long[] { 43, 44, 45 }), "in the events' order");
        Assert.That(decided.All(d => d.Published.IsCompletedSuccessfully), Is.True);
    }

    [Test]
    public async Task A_run_of_a_contacts_events_stops_after_the_one_that_hands_an_invite_to_dispatch()
    {
        var flow = Flow();
        EventInput[] inputs = [.. new long[] { 43, 44, 45 }.Select(offset => Input(origin: Origin with { Offset = offset }))];

        var decided = await flow.DecideAsync(inputs, _contacts, _stateLog, null, null, CancellationToken.None);

        Assert.That(decided, Has.Count.EqualTo(1), "the events after it are decided on what the invite comes to");
        Assert.That(decided[0].Trigger!.Origin.Offset, Is.EqualTo(43));
        Assert.That(_stateLog.Appended.Single().Pending!.RequestId, Is.EqualTo(inputs[0].Origin.RequestId), "pending before it leaves");
        Assert.That(_outcomes.Published, Is.Empty);
    }

    [Test]
    public async Task Each_outcome_of_a_run_is_handed_over_without_waiting_for_the_one_before_and_one_that_fails_fails_only_its_event()
    {
        var flow = await InvitedFiveMinutesAgoAsync();
        _outcomes.HoldDurability = true;
        _outcomes.FailHandOver = 1;
        var inputs = InputsFiveMinutesLater(43, 44, 45);

        var decided = await flow.DecideAsync(inputs, _contacts, _stateLog, null, null, CancellationToken.None);

        Assert.That(_outcomes.Published.Skip(1).Select(o => o.SourceOffset), Is.EqualTo(new long[] { 43, 45 }), "handed over in order while none is durable yet");
        Assert.That(decided[1].Published.IsFaulted, Is.True, "the one that could not be handed over");
        Assert.That(decided[0].Published.IsCompleted || decided[2].Published.IsCompleted, Is.False);
        _outcomes.MakeDurable();
        await Task.WhenAll(decided[0].Published, decided[2].Published);
    }

    [Test]
    public async Task While_an_invite_is_pending_only_a_later_event_whose_answer_could_depend_on_it_waits_for_it()
    {
        var flow = Flow();
        var ownEvent = Input(origin: Origin with { Offset = 40 });
        var decidedBefore = Input(origin: Origin with { Offset = 38 });
        var matching = Input(origin: Origin with { Offset = 41 });
        var matchingNothing = Input(origin: Origin with { Offset = 42 }, attributes: new Dictionary<string, AttributeValue> { ["signal.present"] = AttributeValue.FromBoolean(false) });
        Assert.That(flow.WaitsForPending(matching, _contacts), Is.False, "nothing pending");
        _contacts.Record("ext:c1", new RememberedDecision(decidedBefore.Origin.RequestId, OutcomeStatus.Expired, "guide", "event_older_than_max_event_age", null, Start, 1, decidedBefore.Position));
        await flow.DecideAsync(ownEvent, _contacts, _stateLog, null, CancellationToken.None);

        Assert.That(flow.WaitsForPending(ownEvent, _contacts), Is.False, "its own event, read again, hands it to dispatch again");
        Assert.That(flow.WaitsForPending(decidedBefore, _contacts), Is.False, "decided before the invite: its answer is remembered");
        Assert.That(flow.WaitsForPending(matchingNothing, _contacts), Is.False, "no campaign's filters accept it: its answer depends on nothing");
        Assert.That(flow.WaitsForPending(matching, _contacts), Is.True, "a cooldown could follow from the invite");
        Assert.That(Flow(emitNotEligible: true).WaitsForPending(matchingNothing, _contacts), Is.True, "its not_eligible outcome must not overtake the invite's");
    }

    [Test]
    public async Task A_run_stops_before_an_event_that_must_wait_for_the_contacts_pending_invite()
    {
        var flow = Flow();
        await flow.DecideAsync(Input(), _contacts, _stateLog, null, CancellationToken.None);
        var nothing = new Dictionary<string, AttributeValue> { ["signal.present"] = AttributeValue.FromBoolean(false) };
        EventInput[] inputs = [Input(origin: Origin with { Offset = 43 }, attributes: nothing), Input(origin: Origin with { Offset = 44 }), Input(origin: Origin with { Offset = 45 }, attributes: nothing)];

        var decided = await flow.DecideAsync(inputs, _contacts, _stateLog, null, null, CancellationToken.None);

        Assert.That(decided, Has.Count.EqualTo(1), "the matching event waits for the invite, and the one after it keeps its turn");
        Assert.That(decided[0].Outcome, Is.Null);
        Assert.That(decided[0].Trigger, Is.Null);
    }

    [Test]
    public async Task A_settlement_publishes_its_outcome_without_waiting_for_its_state_record_and_ends_once_both_are_durable()
    {
        var flow = Flow();
        var step = await flow.DecideAsync(Input(), _contacts, _stateLog, null, CancellationToken.None);
        var result = await flow.DispatchAsync(step.Trigger!, _permits, new DispatchTurn(null), CancellationToken.None);
        var stateDurable = _stateLog.HoldNext();

        var settling = flow.SettleAsync(step.Trigger!, result, _contacts, _stateLog, Results, CancellationToken.None);

        Assert.That(_outcomes.Published.Single().Status, Is.EqualTo(OutcomeStatus.Delivered), "settling again from the same result gives the same answer, so it need not wait");
        Assert.That(settling.IsCompleted, Is.False, "the contact's next event must wait for its settled state");
        stateDurable.SetResult();
        Assert.That(await settling, Is.EqualTo(_outcomes.Published.Single()));
    }

    [Test]
    public async Task A_settlement_whose_state_record_fails_after_its_outcome_is_out_says_the_outcome_is_published()
    {
        var flow = Flow();
        var step = await flow.DecideAsync(Input(), _contacts, _stateLog, null, CancellationToken.None);
        var result = await flow.DispatchAsync(step.Trigger!, _permits, new DispatchTurn(null), CancellationToken.None);
        _stateLog.HoldNext().SetException(new InvalidOperationException("record too large"));

        var failure = Assert.ThrowsAsync<SettledStateNotLoggedException>(
            () => flow.SettleAsync(step.Trigger!, result, _contacts, _stateLog, Results, CancellationToken.None));

        Assert.That(failure!.Outcome, Is.EqualTo(_outcomes.Published.Single()));
        Assert.That(failure.InnerException, Is.TypeOf<InvalidOperationException>());
    }

    [Test]
    public async Task A_settlement_whose_outcome_fails_is_published_once_when_settled_again_as_failed()
    {
        var flow = Flow();
        var step = await flow.DecideAsync(Input(), _contacts, _stateLog, null, CancellationToken.None);
        var result = await flow.DispatchAsync(step.Trigger!, _permits, new DispatchTurn(null), CancellationToken.None);
        _outcomes.FailNext = new InvalidOperationException("broker gone");

        Assert.ThrowsAsync<InvalidOperationException>(() => flow.SettleAsync(step.Trigger!, result, _contacts, _stateLog, Results, CancellationToken.None));
        var again = await flow.SettleAsync(step.Trigger!, new DispatchResult(DispatchStatus.Failed, "processing_error:InvalidOperationException"), _contacts, _stateLog, Results, CancellationToken.None);

        Assert.That(again!.Status, Is.EqualTo(OutcomeStatus.Delivered), "the decision remembered with the state, not the failure");
        Assert.That(_outcomes.Published, Is.EqualTo(new[] { again }));
    }

    [Test]
    public async Task The_contacts_next_event_inside_the_cooldown_is_suppressed_locally_until_the_invite_leaves_the_window()
    {
        var flow = Flow();
        await RunAsync(flow, Input());
        _time.Advance(TimeSpan.FromMinutes(5));

        var second = await RunAsync(flow, Input(occurredAt: Start.AddMinutes(5), origin: Origin with { Offset = 43 }));

        Assert.That(second!.Status, Is.EqualTo(OutcomeStatus.Suppressed));
        Assert.That(second.Reason, Is.EqualTo("cooldown"));
        Assert.That(second.SuppressedUntil, Is.EqualTo(Start.AddHours(1)));
        Assert.That(_dispatcher.Requests, Has.Count.EqualTo(1), "a suppressed event is never sent");
        Assert.That(_grants.Recorded, Has.Count.EqualTo(1), "a suppressed event takes no permit");
    }

    [Test]
    public async Task Permits_are_asked_for_in_turn_order_whatever_order_the_invites_run_in()
    {
        var flow = Flow(maxInvitesPerMinute: 1);
        var triggers = new List<InviteTrigger>();
        for (var i = 1; i <= 3; i++)
        {
            var step = await flow.DecideAsync(Input($"ext:c{i}", origin: Origin with { Offset = i }), _contacts, _stateLog, null, CancellationToken.None);
            triggers.Add(step.Trigger!);
        }

        var first = new DispatchTurn(null);
        var second = new DispatchTurn(first);
        var third = new DispatchTurn(second);

        // Started last-first: without turns the third would take the campaign's only permit.
        var thirdResult = flow.DispatchAsync(triggers[2], _permits, third, CancellationToken.None);
        var secondResult = flow.DispatchAsync(triggers[1], _permits, second, CancellationToken.None);
        var firstResult = flow.DispatchAsync(triggers[0], _permits, first, CancellationToken.None);

        Assert.That((await firstResult).Status, Is.EqualTo(DispatchStatus.Delivered));
        Assert.That(await secondResult, Is.EqualTo(new DispatchResult(DispatchStatus.Throttled, "campaign_rate_limit")));
        Assert.That(await thirdResult, Is.EqualTo(new DispatchResult(DispatchStatus.Throttled, "campaign_rate_limit")));
    }

    [Test]
    public async Task When_the_APIs_budget_refuses_the_campaigns_permit_is_given_back_and_the_reason_names_the_API()
    {
        _dispatcher.ReserveGranted = false;
        var flow = Flow(maxInvitesPerMinute: 1);

        var refused = await RunAsync(flow, Input());

        Assert.That(refused!.Status, Is.EqualTo(OutcomeStatus.Throttled));
        Assert.That(refused.Reason, Is.EqualTo("api_rate_limit"));
        Assert.That(_dispatcher.Requests, Is.Empty);
        Assert.That(_grants.Recorded[^1].Grants, Is.Empty, "the returned grant is recorded as gone");

        _dispatcher.ReserveGranted = true;
        var next = await RunAsync(flow, Input("ext:c2", origin: Origin with { Offset = 43 }));
        Assert.That(next!.Status, Is.EqualTo(OutcomeStatus.Delivered), "the campaign's only permit was given back");
    }

    [Test]
    public async Task A_permit_whose_invite_was_never_sent_is_given_back_and_the_next_invite_is_sent()
    {
        // Granted, but the deadline passed while the grant was recorded: no request left.
        _dispatcher.Answer = new DispatchResult(DispatchStatus.Throttled, "past_deadline", Unsent: true);
        var flow = Flow(maxInvitesPerMinute: 1);

        var unsent = await RunAsync(flow, Input());

        Assert.That(unsent!.Reason, Is.EqualTo("past_deadline"));
        Assert.That(_grants.Recorded[^1].Grants, Is.Empty, "the returned grant is recorded as gone");

        _dispatcher.Answer = DispatchResult.Delivered;
        var next = await RunAsync(flow, Input("ext:c2", origin: Origin with { Offset = 43 }));
        Assert.That(next!.Status, Is.EqualTo(OutcomeStatus.Delivered), "the campaign's only permit was given back");
    }

    [Test]
    public async Task A_permit_whose_request_may_have_reached_the_engine_stays_counted()
    {
        _dispatcher.Answer = new DispatchResult(DispatchStatus.Failed, "timeout_past_deadline");
        var flow = Flow(maxInvitesPerMinute: 1);
        await RunAsync(flow, Input());

        _dispatcher.Answer = DispatchResult.Delivered;
        var next = await RunAsync(flow, Input("ext:c2", origin: Origin with { Offset = 43 }));
        Assert.That(next!.Reason, Is.EqualTo("campaign_rate_limit"));
    }

    [Test]
    public async Task No_campaign_permit_before_the_deadline_is_throttled_by_the_campaign_limit_and_never_sent()
    {
        var flow = Flow(maxInvitesPerMinute: 1);
        await RunAsync(flow, Input());

        var outcome = await RunAsync(flow, Input("ext:c2", origin: Origin with { Offset = 43 }));

        Assert.That(outcome!.Status, Is.EqualTo(OutcomeStatus.Throttled));
        Assert.That(outcome.Reason, Is.EqualTo("campaign_rate_limit"));
        Assert.That(_dispatcher.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_permit_goes_only_to_an_invite_with_time_left_to_send_it_and_the_slot_to_the_next_one()
    {
        var flow = Flow(maxInvitesPerMinute: 1, minTimeToSend: TimeSpan.FromMilliseconds(500));
        await RunAsync(flow, Input());
        _time.Advance(TimeSpan.FromSeconds(50.1));

        // The minute's next permit frees at Start + 60 s: 100 ms before this one's deadline, 5 s before the next one's.
        var tooLate = RunAsync(flow, Input("ext:c2", occurredAt: _time.GetUtcNow(), origin: Origin with { Offset = 43 }));
        _time.Advance(TimeSpan.FromSeconds(4.9));
        var inTime = RunAsync(flow, Input("ext:c3", occurredAt: _time.GetUtcNow(), origin: Origin with { Offset = 44 }));
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Multiple(async () =>
        {
            Assert.That((await tooLate)!.Reason, Is.EqualTo("campaign_rate_limit"));
            Assert.That((await inTime)!.Status, Is.EqualTo(OutcomeStatus.Delivered));
            Assert.That(_dispatcher.Requests.Select(r => r.ContactId), Is.EqualTo(new[] { "ext:c1", "ext:c3" }));
        });
    }

    [TestCase(DispatchStatus.NotEligible, null, OutcomeStatus.Rejected, "not_eligible_by_engine")]
    [TestCase(DispatchStatus.Throttled, "api_429", OutcomeStatus.Throttled, "api_429")]
    [TestCase(DispatchStatus.Failed, "http_400:bad.request", OutcomeStatus.Failed, "http_400:bad.request")]
    public async Task The_engines_answer_maps_to_the_outcome_and_only_a_delivery_records_an_invite(
        DispatchStatus answer, string? reason, OutcomeStatus expected, string expectedReason)
    {
        _dispatcher.Answer = new DispatchResult(answer, reason);

        var outcome = await RunAsync(Flow(), Input());

        Assert.That(outcome!.Status, Is.EqualTo(expected));
        Assert.That(outcome.Reason, Is.EqualTo(expectedReason));
        Assert.That(_contacts.InvitesOf("ext:c1"), Is.Empty);
        Assert.That(_contacts.PendingOf("ext:c1"), Is.Null);
    }

    [Test]
    public async Task An_engine_suppression_is_kept_with_the_contact_and_answers_its_later_events_without_a_permit()
    {
        var expiresAt = Start.AddHours(2);
        _dispatcher.Answer = new DispatchResult(DispatchStatus.Suppressed, null, expiresAt);
        var flow = Flow();

        var first = await RunAsync(flow, Input());
        var second = await RunAsync(flow, Input(origin: Origin with { Offset = 43 }));

        Assert.That(first!.Status, Is.EqualTo(OutcomeStatus.Suppressed));
        Assert.That(first.Reason, Is.EqualTo("suppressed_by_engine"));
        Assert.That(second!.Status, Is.EqualTo(OutcomeStatus.Suppressed));
        Assert.That(second.Reason, Is.EqualTo("suppressed_by_engine"));
        Assert.That(second.SuppressedUntil, Is.EqualTo(expiresAt));
        Assert.That(_dispatcher.Requests, Has.Count.EqualTo(1), "the second is answered locally");
        Assert.That(_grants.Recorded, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task The_engines_suppression_lookup_is_asked_before_any_permit_is_taken()
    {
        _dispatcher.LookupSuppressedUntil = Start.AddHours(1);

        var outcome = await RunAsync(Flow(), Input());

        Assert.That(outcome!.Status, Is.EqualTo(OutcomeStatus.Suppressed));
        Assert.That(outcome.Reason, Is.EqualTo("suppressed_by_engine_lookup"));
        Assert.That(_grants.Recorded, Is.Empty, "no campaign permit was spent");
        Assert.That(_dispatcher.Reservations, Is.Zero, "no API permit was reserved");
    }

    [Test]
    public async Task A_matching_event_older_than_the_maximum_age_expires_without_a_permit_or_a_send()
    {
        var outcome = await RunAsync(Flow(), Input(occurredAt: Start.AddSeconds(-31)));

        Assert.That(outcome!.Status, Is.EqualTo(OutcomeStatus.Expired));
        Assert.That(outcome.Reason, Is.EqualTo("event_older_than_max_event_age"));
        Assert.That(_grants.Recorded, Is.Empty);
        Assert.That(_dispatcher.Requests, Is.Empty);
    }

    [Test]
    public async Task An_event_matching_nothing_has_no_outcome_unless_not_eligible_outcomes_are_wanted()
    {
        var noMatch = Input(attributes: new() { ["signal.present"] = AttributeValue.FromString("true") });

        Assert.That(Flow().TryFinishWithoutIo(noMatch, _contacts, out _), Is.True);
        Assert.That(await RunAsync(Flow(), noMatch), Is.Null);
        Assert.That(_outcomes.Published, Is.Empty);

        var withReasons = Flow(emitNotEligible: true);
        Assert.That(withReasons.TryFinishWithoutIo(noMatch, _contacts, out _), Is.False);
        var outcome = await RunAsync(withReasons, noMatch);
        Assert.That(outcome!.Status, Is.EqualTo(OutcomeStatus.NotEligible));
        Assert.That(outcome.CampaignId, Is.Null);
        Assert.That(outcome.Reason, Is.EqualTo("guide:signal.present=type_mismatch(expected=boolean,actual=string)"));
    }

    [Test]
    public async Task An_event_decided_again_after_a_restart_gets_the_same_outcome_and_is_not_sent_again()
    {
        var flow = Flow(maxInvitesPerMinute: 1);
        await RunAsync(flow, Input("ext:other"));
        var first = await RunAsync(flow, Input(origin: Origin with { Offset = 43 }));

        // A restart: the state comes back from its changelog; the budget is free again and time moved on.
        var restored = new ContactStateStore(TimeSpan.FromDays(1));
        foreach (var snapshot in _stateLog.Appended)
        {
            restored.Restore(snapshot);
        }

        _time.Advance(TimeSpan.FromMinutes(2));
        var again = await RunAsync(Flow(), Input(origin: Origin with { Offset = 43 }), restored);

        Assert.That(first!.Status, Is.EqualTo(OutcomeStatus.Throttled));
        Assert.That(again, Is.EqualTo(first), "same status, reason, requestId and times");
        Assert.That(_dispatcher.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task An_invite_pending_when_the_worker_stopped_is_handed_to_dispatch_again_with_its_grant()
    {
        var flow = Flow();
        var step = await flow.DecideAsync(Input(), _contacts, _stateLog, null, CancellationToken.None);
        await flow.DispatchAsync(step.Trigger!, _permits, new DispatchTurn(null), CancellationToken.None);

        // The result never came back: the event is read again.
        var again = await flow.DecideAsync(Input(), _contacts, _stateLog, null, CancellationToken.None);
        var resent = await flow.DispatchAsync(again.Trigger!, _permits, new DispatchTurn(null), CancellationToken.None);

        Assert.That(again.Trigger!.Origin.RequestId, Is.EqualTo(step.Trigger!.Origin.RequestId));
        Assert.That(resent.Status, Is.EqualTo(DispatchStatus.Delivered));
        Assert.That(_grants.Recorded.Select(r => r.Grants.Count), Is.EqualTo(new[] { 1 }), "the second dispatch reused the first grant");
    }

    [Test]
    public async Task A_result_for_an_invite_the_contact_no_longer_waits_for_settles_nothing()
    {
        var flow = Flow();
        var (trigger, result) = await DeliveredAsync(flow);

        var sameRecordAgain = await flow.SettleAsync(trigger, result, _contacts, _stateLog, Results, CancellationToken.None);
        var duplicateResult = await flow.SettleAsync(trigger, result, _contacts, _stateLog, Results with { Offset = 8 }, CancellationToken.None);

        Assert.That(sameRecordAgain, Is.EqualTo(_outcomes.Published[0]), "the result read again publishes the same outcome");
        Assert.That(duplicateResult, Is.Null, "another result of the same invite publishes nothing");
        Assert.That(_contacts.InvitesOf("ext:c1"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task An_invites_event_read_again_after_its_result_was_committed_but_before_itself_is_not_answered_anew()
    {
        var flow = Flow();
        await DeliveredAsync(flow);

        // The result's offset is committed, the event's is not (an earlier record of its partition
        // holds it back); the contact's next event writes its state; then the worker crashes.
        _contacts.ForgetDecisions(at => at == Results);
        var next = await flow.DecideAsync(Input(origin: Origin with { Offset = 50 }), _contacts, _stateLog, null, CancellationToken.None);
        var restored = new ContactStateStore(TimeSpan.FromDays(1));
        restored.Restore(_stateLog.Appended[^1]);
        var again = await flow.DecideAsync(Input(), restored, _stateLog, null, CancellationToken.None);

        Assert.That(next.Outcome!.Status, Is.EqualTo(OutcomeStatus.Suppressed));
        Assert.That(again, Is.EqualTo(DecisionStep.Nothing), "delivered was published from the result; the event is not suppressed by its own invite");
        _contacts.ForgetDecisions(at => at == Results || at == Origin || at.Offset == 50);
        Assert.That(_contacts.RememberedCount("ext:c1"), Is.Zero, "forgotten once the event is committed too");
    }

    [Test]
    public async Task An_event_stamped_at_the_end_of_time_does_not_overflow_its_deadline()
    {
        var outcome = await RunAsync(Flow(), Input(occurredAt: DateTimeOffset.MaxValue.AddSeconds(-1)));

        Assert.That(outcome!.Status, Is.EqualTo(OutcomeStatus.Delivered));
        Assert.That(_dispatcher.Requests.Single().Deadline, Is.EqualTo(DateTimeOffset.MaxValue));
    }

    [Test]
    public async Task Only_the_campaigns_the_producer_named_are_considered()
    {
        var outcome = await RunAsync(Flow(), Input() with { OnlyCampaigns = ["another"] });

        Assert.That(outcome, Is.Null);
        Assert.That(_dispatcher.Requests, Is.Empty);
    }

    private Task<InviteOutcome?> RunAsync(InviteFlow flow, EventInput input, ContactStateStore? contacts = null) =>
        flow.RunAsync(input, contacts ?? _contacts, _stateLog, _permits, new DispatchTurn(null), null, CancellationToken.None);

    // The contact was invited five minutes ago: its events now are suppressed by the cooldown.
    // The contact's invite decided, sent and settled from the result at Results.
    private async Task<(InviteTrigger Trigger, DispatchResult Result)> DeliveredAsync(InviteFlow flow)
    {
        var step = await flow.DecideAsync(Input(), _contacts, _stateLog, null, CancellationToken.None);
        var result = await flow.DispatchAsync(step.Trigger!, _permits, new DispatchTurn(null), CancellationToken.None);
        await flow.SettleAsync(step.Trigger!, result, _contacts, _stateLog, Results, CancellationToken.None);
        return (step.Trigger!, result);
    }

    private async Task<InviteFlow> InvitedFiveMinutesAgoAsync()
    {
        var flow = Flow();
        await RunAsync(flow, Input());
        _time.Advance(TimeSpan.FromMinutes(5));
        return flow;
    }

    private EventInput[] InputsFiveMinutesLater(params long[] offsets) =>
        [.. offsets.Select(offset => Input(occurredAt: Start.AddMinutes(5), origin: Origin with { Offset = offset }))];

    private InviteFlow Flow(bool emitNotEligible = false, int maxInvitesPerMinute = 500, TimeSpan minTimeToSend = default)
    {
        var campaign = new Campaign(
            "guide",
            "Guide",
            Enabled: true,
            "realtime",
            [new Filter("signal.present", FilterOperator.EqualTo, AttributeValue.FromBoolean(true), AttributeDataType.Boolean)],
            [new CampaignAction(CampaignAction.WebchatInvite, 1, null)],
            new Throttling(1, 3600, maxInvitesPerMinute),
            default);
        return new InviteFlow(
            new InviteDecider([campaign], new DecisionRules(TimeSpan.FromSeconds(30))),
            _dispatcher,
            _outcomes,
            new FilterReportList(),
            new InviteFlowSettings(TimeSpan.FromSeconds(10), emitNotEligible, ["browser.locale", "referrer.page"], minTimeToSend),
            _time);
    }

    private EventInput Input(
        string contactId = "ext:c1", DateTimeOffset? occurredAt = null, Dictionary<string, AttributeValue>? attributes = null, EventOrigin? origin = null) =>
        new(
            new BehavioralEvent(
                "e1",
                contactId,
                "webchat:primary_embed",
                occurredAt ?? Start,
                attributes ?? new Dictionary<string, AttributeValue> { ["signal.present"] = AttributeValue.FromBoolean(true) },
                "corr-1"),
            origin ?? Origin,
            null,
            _time.GetTimestamp());

    private sealed class RecordingGrantLog : IGrantLog
    {
        public List<(string CampaignId, IReadOnlyList<Grant> Grants)> Recorded { get; } = [];

        public Task RecordAsync(string campaignId, Action<List<Grant>> readGrants, CancellationToken cancellationToken)
        {
            var grants = new List<Grant>();
            readGrants(grants);
            Recorded.Add((campaignId, grants));
            return Task.CompletedTask;
        }
    }

    private sealed class ScriptedDispatcher : IInviteDispatcher
    {
        public List<InviteRequest> Requests { get; } = [];

        public DispatchResult Answer { get; set; } = DispatchResult.Delivered;

        public bool ReserveGranted { get; set; } = true;

        public DateTimeOffset? LookupSuppressedUntil { get; set; }

        public int Reservations { get; private set; }

        public Task<DispatchResult> DispatchAsync(InviteRequest request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            return Task.FromResult(Answer);
        }

        public Task<DateTimeOffset?> SuppressedUntilAsync(InviteRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(LookupSuppressedUntil);

        public ValueTask<bool> ReserveFirstAttemptAsync(DateTimeOffset deadline, CancellationToken cancellationToken)
        {
            Reservations++;
            return ValueTask.FromResult(ReserveGranted);
        }
    }

    private sealed class RecordingOutcomes : IOutcomeSink
    {
        public List<InviteOutcome> Published { get; } = [];

        public List<int> PublishedAfterStates { get; } = [];

        public RecordingStateLog? States { get; set; }

        public Exception? FailNext { get; set; }

        /// <summary>Outcomes handed over are durable only once <see cref="MakeDurable"/> is called.</summary>
        public bool HoldDurability { get; set; }

        /// <summary>The hand-over with this index (from 0, counting hand-overs) throws.</summary>
        public int? FailHandOver { get; set; }

        private TaskCompletionSource Durable { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private int HandOvers { get; set; }

        public void MakeDurable() => Durable.SetResult();

        public Task PublishAsync(InviteOutcome outcome, CancellationToken cancellationToken)
        {
            if (FailNext is { } failure)
            {
                FailNext = null;
                return Task.FromException(failure);
            }

            Published.Add(outcome);
            PublishedAfterStates.Add(States?.Appended.Count ?? -1);
            return HoldDurability ? Durable.Task : Task.CompletedTask;
        }

        public ValueTask<Task> HandOverAsync(InviteOutcome outcome, CancellationToken cancellationToken) =>
            HandOvers++ == FailHandOver
                ? throw new InvalidOperationException("refused")
                : ValueTask.FromResult(PublishAsync(outcome, cancellationToken));
    }

    private sealed class RecordingStateLog : IContactStateLog
    {
        private TaskCompletionSource? _next;

        public List<ContactSnapshot> Appended { get; } = [];

        /// <summary>The next record is durable (or fails) only when the returned source says so.</summary>
        public TaskCompletionSource HoldNext() => _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task AppendAsync(ContactSnapshot snapshot, CancellationToken cancellationToken)
        {
            Appended.Add(snapshot);
            var held = _next;
            _next = null;
            return held?.Task ?? Task.CompletedTask;
        }
    }
}
