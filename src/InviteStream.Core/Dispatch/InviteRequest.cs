using InviteStream.Core.Attributes;
using InviteStream.Core.Campaigns;

namespace InviteStream.Core.Dispatch;

/// <summary>One invite trigger to send for a campaign and contact.</summary>
/// <param name="SessionData">The attributes the campaign's filters reference, plus configured pass-through keys.</param>
/// <param name="Deadline">The intent deadline: past it the invite is worthless and must not be sent.</param>
/// <param name="EventAttributes">Every attribute of the event, for adapters that map identities from one.</param>
/// <param name="HasLocalHistory">Whether the local contact state knows any invite of this contact.</param>
/// <param name="FirstAttemptReserved">The first attempt's API permit was taken already (<see cref="IInviteDispatcher.ReserveFirstAttemptAsync"/>).</param>
public sealed record InviteRequest(
    Campaign Campaign,
    string ContactId,
    string ChannelId,
    IReadOnlyDictionary<string, AttributeValue> SessionData,
    DateTimeOffset Timestamp,
    string RequestId,
    string? CorrelationId,
    DateTimeOffset Deadline,
    IReadOnlyDictionary<string, AttributeValue> EventAttributes,
    bool HasLocalHistory = true,
    bool FirstAttemptReserved = false,
    string? EngineContactId = null);
