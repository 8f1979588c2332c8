namespace InviteStream.Core.Outcomes;

/// <summary>The record published to the outcome topic: one per decision.</summary>
/// <param name="RequestId">Deterministic from the source topic, partition and offset, so a replayed event
/// carries the same id (the engagement API can deduplicate on it).</param>
/// <param name="DecisionLatencyMs">From the moment the worker received the event to the final decision.</param>
public sealed record InviteOutcome(
    string ContactId,
    string? CampaignId,
    string EventId,
    OutcomeStatus Status,
    string? Reason,
    string RequestId,
    string? CorrelationId,
    DateTimeOffset OccurredAt,
    DateTimeOffset DecidedAt,
    double DecisionLatencyMs,
    string SourceTopic,
    int SourcePartition,
    long SourceOffset,
    DateTimeOffset? SuppressedUntil);
