using Confluent.Kafka;
using InviteStream.Core.Attributes;
using InviteStream.Core.Campaigns;
using InviteStream.Core.Decisions;
using InviteStream.Core.Dispatch;
using InviteStream.Core.Events;
using InviteStream.Core.Outcomes;
using InviteStream.Core.State;
using InviteStream.Kafka.Publishing;
using InviteStream.Kafka.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// Takes one event from decision to published outcome: decide (core), dispatch (through the
/// rate-limited port), record the delivered invite in the contact state, publish the outcome.
/// Callers run one contact's events one after another.
/// </summary>
internal sealed partial class EventProcessor(
    InviteDecider decider,
    ContactStateChangelog changelog,
    IInviteDispatcher dispatcher,
    RecordPublisher publisher,
    PipelineStatistics statistics,
    FilterResultTelemetry filterTelemetry,
    IOptions<PipelineOptions> options,
    TimeProvider time,
    ILogger<EventProcessor> logger)
{
    private readonly PipelineOptions _options = options.Value;

    /// <summary>
    /// Decides an event on the caller's thread, right now. Handles it completely when it matched no
    /// campaign and no <c>not_eligible</c> outcome is wanted (true); otherwise hands back the decision,
    /// if it made one, for <see cref="ProcessAsync"/>, which must then run at once so it is not stale.
    /// </summary>
    public bool TryFinishWithoutIo(BehavioralEvent behavioralEvent, IReadOnlyCollection<string>? onlyCampaigns, ContactStateStore state, long receivedAt, out Decision? decision)
    {
        decision = null;
        if (_options.EmitNotEligible)
        {
            return false;
        }

        decision = decider.Decide(behavioralEvent, state.InvitesOf(behavioralEvent.ContactId), time.GetUtcNow(), filterTelemetry, onlyCampaigns);
        if (decision.Kind != DecisionKind.NoMatch)
        {
            return false;
        }

        statistics.NoMatchDecided(time.GetElapsedTime(receivedAt).TotalMilliseconds);
        return true;
    }

    /// <summary>Tags the event's span (when sampled) with what an operator searches traces by.</summary>
    internal static void Annotate(System.Diagnostics.Activity? activity, BehavioralEvent behavioralEvent, RecordOrigin origin, string outcome, string? campaignId)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        activity.SetTag("invitestream.request_id", origin.RequestId);
        activity.SetTag("invitestream.correlation_id", behavioralEvent.CorrelationId);
        activity.SetTag("invitestream.event_id", behavioralEvent.EventId);
        activity.SetTag("invitestream.outcome", outcome);
        activity.SetTag("invitestream.campaign_id", campaignId);
    }

    /// <param name="decided">The decision <see cref="TryFinishWithoutIo"/> just made for this event, if any.</param>
    public async Task ProcessAsync(
        ConsumeResult<string?, byte[]> record,
        BehavioralEvent behavioralEvent,
        IReadOnlyCollection<string>? onlyCampaigns,
        ContactStateStore state,
        long receivedAt,
        DispatchTurn turn,
        Decision? decided,
        CancellationToken cancellationToken)
    {
        var origin = RecordOrigin.Of(record);
        try
        {
            var reasons = _options.EmitNotEligible ? new ReportingSink(filterTelemetry) : null;
            var invites = state.InvitesOf(behavioralEvent.ContactId);
            var decision = decided
                ?? decider.Decide(behavioralEvent, invites, time.GetUtcNow(), (IFilterResultSink?)reasons ?? filterTelemetry, onlyCampaigns);
            if (decision.Kind != DecisionKind.Invite)
            {
                turn.Release();
            }

            switch (decision.Kind)
            {
                case DecisionKind.NoMatch when reasons is null:
                    statistics.NoMatchDecided(time.GetElapsedTime(receivedAt).TotalMilliseconds);
                    Annotate(System.Diagnostics.Activity.Current, behavioralEvent, origin, "no_match", null);
                    return;
                case DecisionKind.NoMatch:
                    await PublishAsync(OutcomeStatus.NotEligible, null, reasons.Reports.ToString(), null);
                    return;
                case DecisionKind.Expired:
                    await PublishAsync(OutcomeStatus.Expired, decision.Campaign, "event_older_than_max_event_age", null);
                    return;
                case DecisionKind.Suppressed:
                    await PublishAsync(OutcomeStatus.Suppressed, decision.Campaign, "cooldown", decision.SuppressedUntil);
                    return;
            }

            var campaign = decision.Campaign!;
            var request = new InviteRequest(
                campaign,
                behavioralEvent.ContactId,
                behavioralEvent.ChannelId,
                SessionData(campaign, behavioralEvent),
                behavioralEvent.OccurredAt,
                origin.RequestId,
                behavioralEvent.CorrelationId,
                behavioralEvent.OccurredAt + _options.MaxInviteDelay,
                behavioralEvent.Attributes,
                HasLocalHistory: invites.Count > 0,
                Turn: turn);
            var result = await dispatcher.DispatchAsync(request, cancellationToken);
            Task stateWritten = Task.CompletedTask;
            if (result.Status == DispatchStatus.Delivered)
            {
                // The new state goes to the changelog alongside the outcome; the offset moves only once both are acknowledged.
                var snapshot = state.ApplyInvite(behavioralEvent.ContactId, campaign.Id, time.GetUtcNow());
                stateWritten = changelog.WriteAsync(record.Partition.Value, snapshot, cancellationToken);
            }

            var (status, reason) = result.Status switch
            {
                DispatchStatus.Delivered => (OutcomeStatus.Delivered, (string?)null),
                DispatchStatus.Suppressed => (OutcomeStatus.Suppressed, result.Reason ?? "suppressed_by_engine"),
                DispatchStatus.NotEligible => (OutcomeStatus.Rejected, result.Reason ?? "not_eligible_by_engine"),
                DispatchStatus.Throttled => (OutcomeStatus.Throttled, result.Reason),
                _ => (OutcomeStatus.Failed, result.Reason),
            };
            await Task.WhenAll(PublishAsync(status, campaign, reason, result.SuppressedUntil), stateWritten);

            Task PublishAsync(OutcomeStatus status, Campaign? campaign, string? reason, DateTimeOffset? suppressedUntil)
            {
                var outcome = new InviteOutcome(
                    behavioralEvent.ContactId,
                    campaign?.Id,
                    behavioralEvent.EventId,
                    status,
                    reason,
                    origin.RequestId,
                    behavioralEvent.CorrelationId,
                    behavioralEvent.OccurredAt,
                    time.GetUtcNow(),
                    time.GetElapsedTime(receivedAt).TotalMilliseconds,
                    origin.Topic,
                    origin.Partition,
                    origin.Offset,
                    suppressedUntil);
                Annotate(System.Diagnostics.Activity.Current, behavioralEvent, origin, OutcomeStatusNames.ToWire(status), campaign?.Id);
                if (logger.IsEnabled(LogLevel.Debug))
                {
                    var contact = ContactPseudonym.Of(outcome.ContactId, _options.LogPlainContactIds);
                    LogOutcome(outcome.Status, outcome.CampaignId, contact, outcome.RequestId);
                }

                return publisher.PublishOutcomeAsync(outcome, cancellationToken);
            }
        }
        finally
        {
            // Whatever happened, later events of the partition must not wait for this one's turn.
            turn.Release();
        }
    }

    // Exactly the attributes the campaign's filters reference, plus configured pass-through keys,
    // in their native types: the guide's API compares strictly and mismatched keys fail silently.
    private Dictionary<string, AttributeValue> SessionData(Campaign campaign, BehavioralEvent behavioralEvent)
    {
        var data = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
        foreach (var filter in campaign.Filters)
        {
            if (behavioralEvent.Attributes.TryGetValue(filter.AttributeName, out var value))
            {
                data[filter.AttributeName] = value;
            }
        }

        foreach (var key in _options.PassThroughAttributes)
        {
            if (behavioralEvent.Attributes.TryGetValue(key, out var value))
            {
                data[key] = value;
            }
        }

        return data;
    }

    /// <summary>Counts and logs like the telemetry sink, and keeps the reasons for a <c>not_eligible</c> outcome.</summary>
    private sealed class ReportingSink(IFilterResultSink telemetry) : IFilterResultSink
    {
        public FilterReportList Reports { get; } = new();

        public void Report(Campaign campaign, Core.Filters.Filter filter, Core.Filters.FilterResult result)
        {
            telemetry.Report(campaign, filter, result);
            Reports.Report(campaign, filter, result);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Outcome {Status} for campaign {CampaignId}, contact {Contact} ({RequestId})")]
    private partial void LogOutcome(OutcomeStatus status, string? campaignId, string contact, string requestId);
}
