using InviteStream.Core.Attributes;

namespace InviteStream.Core.Events;

/// <summary>A behavioral signal about one contact, as read from the input topic.</summary>
public sealed record BehavioralEvent(
    string EventId,
    string ContactId,
    string ChannelId,
    DateTimeOffset OccurredAt,
    IReadOnlyDictionary<string, AttributeValue> Attributes,
    string? CorrelationId);
