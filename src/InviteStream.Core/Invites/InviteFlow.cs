using InviteStream.Core.Attributes;
using InviteStream.Core.Campaigns;
using InviteStream.Core.Decisions;
using InviteStream.Core.Dispatch;
using InviteStream.Core.Events;
using InviteStream.Core.Outcomes;
using InviteStream.Core.State;

namespace InviteStream.Core.Invites;

/// <summary>
/// What happens to one event, in three steps that may run in different places: the contact's side
/// decides it (<see cref="DecideAsync"/>: filters, cooldowns, an invite recorded as pending), the
/// campaign budget's owner dispatches an invite (<see cref="DispatchAsync"/>: campaign and API
/// permits taken together, then the engine), and the contact's side settles the result
/// (<see cref="SettleAsync"/>: state, and the one outcome). <see cref="RunAsync"/> chains them in
/// one place. Time comes only from the <see cref="TimeProvider"/> it is given, so the same flow runs
/// on the wall clock live and on event time for a replay.
/// </summary>
/// <remarks>
/// A decision is written to the contact's <see cref="IContactStateLog"/> before its outcome is
/// published, and a published outcome is remembered with the state until its record is committed:
/// an event decided again after a crash gets the same answer, never another. A settlement writes its
/// state and outcome at once: both follow from the result record, which stays uncommitted until
/// both are durable, so settling it again after a crash gives the same answer too. Callers run one
/// contact's events (or runs of them) one after another.
/// </remarks>
public sealed class InviteFlow(
    InviteDecider decider,
    IInviteDispatcher dispatcher,
    IOutcomeSink outcomes,
    IFilterResultSink? filterResults,
    InviteFlowSettings settings,
    TimeProvider time)
{
    /// <summary>Whether an enabled campaign has this id.</summary>
    public bool Knows(string campaignId) => decider.Knows(campaignId);

    /// <summary>
    /// Decides the event right now. True when that finished it: it matched no campaign, no
    /// <c>not_eligible</c> outcome is wanted, and the contact has nothing pending or remembered.
    /// Otherwise <paramref name="decision"/> (when one was made) goes to <see cref="DecideAsync"/>.
    /// </summary>
    public bool TryFinishWithoutIo(EventInput input, ContactStateStore contacts, out Decision? decision)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        decision = null;
        var contactId = input.Event.ContactId;
        if (settings.EmitNotEligible || contacts.HasMoreThanInvites(contactId))
        {
            return false;
        }

        decision = decider.Decide(input.Event, contacts.InvitesOf(contactId), time.GetUtcNow(), filterResults, input.OnlyCampaigns);
        return decision.Kind == DecisionKind.NoMatch;
    }

    /// <summary>
    /// Decides an event whose decision cannot depend on when it is made: no campaign's filters accept
    /// it and no outcome says so (<c>EmitNotEligible</c> off), so it changes no state and publishes
    /// nothing. Such an event need not wait for its turn behind the contact's or the clock's.
    /// </summary>
    public bool TryFinishOutOfTurn(EventInput input) => DependsOnNothing(input, filterResults);

    /// <summary>
    /// Whether the event must wait until the contact's pending invite settles, because its answer
    /// may depend on what the invite comes to. Not when the invite is its own; not when its answer
    /// is remembered (it was decided before the invite, and is read again after a crash: the invite,
    /// perhaps never sent, is handed to dispatch again only when its own later event is read, so
    /// waiting would never end); not when its answer depends on nothing (as <see cref="TryFinishOutOfTurn"/>).
    /// </summary>
    public bool WaitsForPending(EventInput input, ContactStateStore contacts)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        var contactId = input.Event.ContactId;
        if (contacts.PendingOf(contactId) is not { } pending)
        {
            return false;
        }

        var requestId = input.Origin.RequestId;
        return pending.RequestId != requestId
            && contacts.DecisionOf(contactId, requestId) is null
            && !DependsOnNothing(input, filterResults: null);
    }

    // No campaign's filters accept the event and no outcome says so: its answer is "nothing" in any
    // state, at any time. Filter results go to the sink only when the event is being decided here.
    private bool DependsOnNothing(EventInput input, IFilterResultSink? filterResults) =>
        !settings.EmitNotEligible && decider.RejectsAll(input.Event, filterResults, input.OnlyCampaigns);

    /// <summary>
    /// The contact's side: an outcome (published), nothing (no campaign matched), or an invite to
    /// dispatch, recorded as the contact's pending invite before it is handed back.
    /// </summary>
    /// <param name="decided">The decision <see cref="TryFinishWithoutIo"/> just made for this event, if any.</param>
    public async Task<DecisionStep> DecideAsync(
        EventInput input, ContactStateStore contacts, IContactStateLog stateLog, Decision? decided, CancellationToken cancellationToken)
    {
        var step = (await DecideAsync([input], contacts, stateLog, decided, null, cancellationToken))[0];
        await step.Published;
        return new DecisionStep(step.Outcome, step.Trigger);
    }

    /// <summary>
    /// The contact's side for several of one contact's events, in their order, as one: each is
    /// decided on the state the ones before it left, the contact's state after them is written once,
    /// and only once it is durable are their outcomes handed over, in order. One state record and one
    /// wait for it, however many events. Stops after an event that hands an invite to dispatch, and
    /// before one that <see cref="WaitsForPending"/>, so it may decide fewer than given (none, when
    /// the first must wait).
    /// </summary>
    /// <param name="inputs">Events of one contact, in the order they were read.</param>
    /// <param name="firstDecided">The decision <see cref="TryFinishWithoutIo"/> just made for the first event, if any.</param>
    /// <param name="beforePublishing">Called with an event's index right before its outcome is handed over (e.g. to make its trace span current).</param>
    /// <returns>What each decided event led to, in order; an outcome that could not be handed over fails its <see cref="DecidedEvent.Published"/>.</returns>
    public async Task<IReadOnlyList<DecidedEvent>> DecideAsync(
        IReadOnlyList<EventInput> inputs, ContactStateStore contacts, IContactStateLog stateLog, Decision? firstDecided, Action<int>? beforePublishing,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(contacts);
        ArgumentNullException.ThrowIfNull(stateLog);
        var steps = new List<DecisionStep>(inputs.Count);
        ContactSnapshot? state = null;
        for (var i = 0; i < inputs.Count && !WaitsForPending(inputs[i], contacts); i++)
        {
            var (step, changed) = DecideNow(inputs[i], contacts, i == 0 ? firstDecided : null);
            steps.Add(step);
            state = changed ?? state;
            if (step.Trigger is not null)
            {
                break;
            }
        }

        // Written before any of its outcomes (and before an invite leaves): an event decided again
        // after a crash finds its decision remembered, or nothing of it at all.
        if (state is not null)
        {
            await stateLog.AppendAsync(state, cancellationToken);
        }

        var decided = new DecidedEvent[steps.Count];
        for (var i = 0; i < steps.Count; i++)
        {
            var (outcome, trigger) = steps[i];
            decided[i] = new DecidedEvent(outcome, trigger, outcome is null ? Task.CompletedTask : await HandOverAsync(outcome, i, beforePublishing, cancellationToken));
        }

        return decided;
    }

    /// <summary>
    /// The budget owner's side: the campaign's permit (asked for in <paramref name="turn"/>, so in the
    /// order the invites arrived) and the API's permit for the first attempt, taken together or the
    /// campaign's given back; then the engine. The throttle reason names the limit that refused.
    /// </summary>
    public async Task<DispatchResult> DispatchAsync(InviteTrigger trigger, CampaignPermits permits, DispatchTurn turn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        ArgumentNullException.ThrowIfNull(permits);
        ArgumentNullException.ThrowIfNull(turn);
        try
        {
            if (decider.Find(trigger.CampaignId) is not { } campaign)
            {
                return new DispatchResult(DispatchStatus.Failed, "campaign_not_configured");
            }

            var request = RequestOf(trigger, campaign);
            if (await dispatcher.SuppressedUntilAsync(request, cancellationToken) is { } suppressedUntil)
            {
                return new DispatchResult(DispatchStatus.Suppressed, "suppressed_by_engine_lookup", suppressedUntil);
            }

            await turn.WaitAsync(cancellationToken);
            var permit = permits.AcquireAsync(campaign, request.RequestId, LastGrantTime(request.Deadline), cancellationToken);
            turn.Release();
            if (await permit is not { } grantedAt)
            {
                return new DispatchResult(DispatchStatus.Throttled, "campaign_rate_limit");
            }

            if (!await dispatcher.ReserveFirstAttemptAsync(request.Deadline, cancellationToken))
            {
                await permits.ReturnAsync(campaign, request.RequestId, grantedAt, cancellationToken);
                return new DispatchResult(DispatchStatus.Throttled, "api_rate_limit");
            }

            DispatchResult? result = null;
            try
            {
                result = await dispatcher.DispatchAsync(request with { FirstAttemptReserved = true }, cancellationToken);
                return result;
            }
            finally
            {
                if (result is { Unsent: true })
                {
                    // Granted too close to its deadline (or refused before sending): the next invite
                    // takes the permit now, or the window would lose a send.
                    await permits.ReturnAsync(campaign, request.RequestId, grantedAt, CancellationToken.None);
                }
                else
                {
                    // The engine received the request by now at the latest: the permit counts from
                    // here, at once. Its record is not waited for: until it is durable, a next owner
                    // counts the grant as unanswered, from its grant plus the request allowance (later
                    // still), and a grant log that fails fails the next grant's write, which is waited for.
                    NotWaitedFor(permits.AnsweredAsync(campaign, request.RequestId, time.GetUtcNow(), CancellationToken.None));
                }
            }
        }
        finally
        {
            // Whatever happened, later invites must not wait for this one's turn.
            turn.Release();
        }
    }

    /// <summary>
    /// The contact's side again: the dispatch result settles the pending invite (a delivery becomes an
    /// invite in the contact's state, an engine suppression is kept), and the one outcome is
    /// published. Null when the result settles nothing here (it was settled already, or is not awaited).
    /// </summary>
    /// <param name="readFrom">Where the result was read from: the outcome is remembered until it, and the record of the event that decided the invite, are committed.</param>
    /// <exception cref="SettledStateNotLoggedException">The outcome was published but the settled state was not written.</exception>
    public async Task<InviteOutcome?> SettleAsync(
        InviteTrigger trigger, DispatchResult result, ContactStateStore contacts, IContactStateLog stateLog, EventOrigin readFrom, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(contacts);
        ArgumentNullException.ThrowIfNull(stateLog);
        var contactId = trigger.Event.ContactId;
        var requestId = trigger.Origin.RequestId;
        if (contacts.DecisionOf(contactId, requestId) is { } remembered)
        {
            return remembered.ReadFrom == readFrom ? await PublishAsync(trigger.Event, trigger.Origin, remembered, cancellationToken) : null;
        }

        if (contacts.PendingOf(contactId) is not { } pending || pending.RequestId != requestId)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var (status, reason) = StatusOf(result);
        var decision = new RememberedDecision(
            requestId, status, trigger.CampaignId, reason, result.SuppressedUntil, now, (now - trigger.ReceivedAt).TotalMilliseconds, readFrom, pending.DecidedFrom);
        var snapshot = contacts.Record(
            contactId,
            decision,
            invite: result.Status == DispatchStatus.Delivered ? new InviteRecord(trigger.CampaignId, now) : null,
            suppressedByEngineUntil: result.Status == DispatchStatus.Suppressed ? result.SuppressedUntil : null,
            settlesPending: true,
            engineContactId: result.EngineContactId);

        // Neither write waits for the other's acknowledgement: the contact's later events wait for both.
        var stateWritten = stateLog.AppendAsync(snapshot, cancellationToken);
        InviteOutcome outcome;
        try
        {
            outcome = await PublishAsync(trigger.Event, trigger.Origin, decision, cancellationToken);
        }
        catch
        {
            // Not published: the caller may publish the remembered decision again, whatever the state write does.
            NotWaitedFor(stateWritten);
            throw;
        }

        try
        {
            await stateWritten;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new SettledStateNotLoggedException(outcome, ex);
        }

        return outcome;
    }

    /// <summary>Decides, dispatches and settles one event in one place; null when it has no outcome.</summary>
    public async Task<InviteOutcome?> RunAsync(
        EventInput input, ContactStateStore contacts, IContactStateLog stateLog, CampaignPermits permits, DispatchTurn turn, Decision? decided, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(turn);
        DecisionStep step;
        try
        {
            step = await DecideAsync(input, contacts, stateLog, decided, cancellationToken);
        }
        catch
        {
            turn.Release();
            throw;
        }

        if (step.Trigger is not { } trigger)
        {
            turn.Release();
            return step.Outcome;
        }

        var result = await DispatchAsync(trigger, permits, turn, cancellationToken);
        return await SettleAsync(trigger, result, contacts, stateLog, input.Position, cancellationToken);
    }

    /// <summary>How an engine's answer reads on the outcome topic.</summary>
    public static (OutcomeStatus Status, string? Reason) StatusOf(DispatchResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Status switch
        {
            DispatchStatus.Delivered => (OutcomeStatus.Delivered, result.Reason),
            DispatchStatus.Suppressed => (OutcomeStatus.Suppressed, result.Reason ?? "suppressed_by_engine"),
            DispatchStatus.NotEligible => (OutcomeStatus.Rejected, result.Reason ?? "not_eligible_by_engine"),
            DispatchStatus.Throttled => (OutcomeStatus.Throttled, result.Reason),
            _ => (OutcomeStatus.Failed, result.Reason),
        };
    }

    // A write whose failure something else reports: observed, so it is not an unobserved task exception.
    private static void NotWaitedFor(Task write) =>
        write.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    private InviteTrigger TriggerOf(EventInput input, string campaignId, bool hasLocalHistory, string? engineContactId)
    {
        var occurredAt = input.Event.OccurredAt;

        // Event time + the allowed delay, saturating: an event stamped near the end of time must not overflow.
        var deadline = occurredAt > DateTimeOffset.MaxValue - settings.MaxInviteDelay ? DateTimeOffset.MaxValue : occurredAt + settings.MaxInviteDelay;
        var receivedAt = time.GetUtcNow() - time.GetElapsedTime(input.ReceivedAt);
        return new InviteTrigger(campaignId, input.Event, input.Origin, deadline, hasLocalHistory, receivedAt, engineContactId);
    }

    // The latest a permit may be granted and still leave the request its time to be sent.
    private DateTimeOffset LastGrantTime(DateTimeOffset deadline) =>
        deadline - DateTimeOffset.MinValue > settings.MinTimeToSend ? deadline - settings.MinTimeToSend : DateTimeOffset.MinValue;

    private InviteRequest RequestOf(InviteTrigger trigger, Campaign campaign)
    {
        var behavioralEvent = trigger.Event;
        return new InviteRequest(
            campaign,
            behavioralEvent.ContactId,
            behavioralEvent.ChannelId,
            SessionData(campaign, behavioralEvent.Attributes),
            behavioralEvent.OccurredAt,
            trigger.Origin.RequestId,
            behavioralEvent.CorrelationId,
            trigger.Deadline,
            behavioralEvent.Attributes,
            trigger.HasLocalHistory,
            EngineContactId: trigger.EngineContactId);
    }

    // Exactly the attributes the campaign's filters reference, plus configured pass-through keys,
    // in their native types: the guide's API compares strictly and mismatched keys fail silently.
    private Dictionary<string, AttributeValue> SessionData(Campaign campaign, IReadOnlyDictionary<string, AttributeValue> attributes)
    {
        var data = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
        foreach (var key in campaign.Filters.Select(f => f.AttributeName).Concat(settings.PassThroughAttributes))
        {
            if (attributes.TryGetValue(key, out var value))
            {
                data[key] = value;
            }
        }

        return data;
    }

    // One event of a run, decided on the state in memory: its outcome (published once the contact's
    // state is durable) or its invite (recorded as pending), and the contact's state when it changed.
    private (DecisionStep Step, ContactSnapshot? Changed) DecideNow(EventInput input, ContactStateStore contacts, Decision? decided)
    {
        var behavioralEvent = input.Event;
        var contactId = behavioralEvent.ContactId;
        var requestId = input.Origin.RequestId;
        if (contacts.DecisionOf(contactId, requestId) is { } remembered)
        {
            // Decided before a restart: the same answer again — unless it was published from another record (its result).
            return (remembered.ReadFrom == input.Position ? new DecisionStep(OutcomeOf(behavioralEvent, input.Origin, remembered), null) : DecisionStep.Nothing, null);
        }

        if (contacts.PendingOf(contactId) is { } pending && pending.RequestId == requestId)
        {
            // Handed to dispatch before a restart, perhaps never sent: hand it again (dispatch knows its grant).
            return (new DecisionStep(null, TriggerOf(input, pending.CampaignId, contacts.InvitesOf(contactId).Count > 0, contacts.EngineContactIdOf(contactId))), null);
        }

        var invites = contacts.InvitesOf(contactId);
        // For a not_eligible outcome the failing filters are also kept, as its reason.
        var reasons = settings.EmitNotEligible ? new FilterReportList() : null;
        var decision = decided ?? decider.Decide(
            behavioralEvent, invites, time.GetUtcNow(), reasons is null || filterResults is null ? reasons ?? filterResults : new FilterResultSinks(filterResults, reasons), input.OnlyCampaigns, contacts.SuppressedByEngineUntil(contactId));
        switch (decision.Kind)
        {
            case DecisionKind.NoMatch when reasons is null:
                return (DecisionStep.Nothing, null);
            case DecisionKind.NoMatch:
                return Conclude(input, contacts, OutcomeStatus.NotEligible, null, reasons.ToString(), null);
            case DecisionKind.Expired:
                return Conclude(input, contacts, OutcomeStatus.Expired, decision.Campaign, "event_older_than_max_event_age", null);
            case DecisionKind.Suppressed:
                var reason = decision.SuppressedByEngine ? "suppressed_by_engine" : decision.SuppressedByOtherCampaign ? "consolidated_suppression" : "cooldown";
                return Conclude(input, contacts, OutcomeStatus.Suppressed, decision.Campaign, reason, decision.SuppressedUntil);
        }

        var campaign = decision.Campaign!;
        var snapshot = contacts.MarkPending(contactId, new PendingInvite(requestId, campaign.Id, time.GetUtcNow(), input.Position));
        return (new DecisionStep(null, TriggerOf(input, campaign.Id, invites.Count > 0, contacts.EngineContactIdOf(contactId))), snapshot);
    }

    // A decision without dispatch: remembered with the contact's state, which is written before the outcome is published.
    private (DecisionStep Step, ContactSnapshot? Changed) Conclude(
        EventInput input, ContactStateStore contacts, OutcomeStatus status, Campaign? campaign, string? reason, DateTimeOffset? suppressedUntil)
    {
        var decision = new RememberedDecision(
            input.Origin.RequestId, status, campaign?.Id, reason, suppressedUntil, time.GetUtcNow(), time.GetElapsedTime(input.ReceivedAt).TotalMilliseconds, input.Position);
        var snapshot = contacts.Record(input.Event.ContactId, decision);
        return (new DecisionStep(OutcomeOf(input.Event, input.Origin, decision), null), snapshot);
    }

    // A failure to hand one outcome over is that event's alone: the outcomes after it still keep their order.
    private async Task<Task> HandOverAsync(InviteOutcome outcome, int index, Action<int>? beforePublishing, CancellationToken cancellationToken)
    {
        try
        {
            beforePublishing?.Invoke(index);
            return await outcomes.HandOverAsync(outcome, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Task.FromException(ex);
        }
    }

    private async Task<InviteOutcome> PublishAsync(BehavioralEvent behavioralEvent, EventOrigin origin, RememberedDecision decision, CancellationToken cancellationToken)
    {
        var outcome = OutcomeOf(behavioralEvent, origin, decision);
        await outcomes.PublishAsync(outcome, cancellationToken);
        return outcome;
    }

    private static InviteOutcome OutcomeOf(BehavioralEvent behavioralEvent, EventOrigin origin, RememberedDecision decision) =>
        new(
            behavioralEvent.ContactId,
            decision.CampaignId,
            behavioralEvent.EventId,
            decision.Status,
            decision.Reason,
            origin.RequestId,
            behavioralEvent.CorrelationId,
            behavioralEvent.OccurredAt,
            decision.DecidedAt,
            decision.DecisionLatencyMs,
            origin.Topic,
            origin.Partition,
            origin.Offset,
            decision.SuppressedUntil);
}
