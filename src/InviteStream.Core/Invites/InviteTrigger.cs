using InviteStream.Core.Events;

namespace InviteStream.Core.Invites;

/// <summary>
/// An invite the contact side decided, on its way to dispatch and back: everything dispatch needs,
/// and everything the outcome will name.
/// </summary>
/// <param name="Deadline">The intent deadline: past it the invite is worthless and must not be sent.</param>
/// <param name="HasLocalHistory">Whether the contact's state knew any invite of it when it was decided.</param>
/// <param name="ReceivedAt">When the event was received (wall clock), for the outcome's decision latency.</param>
/// <param name="EngineContactId">The engine's own id of the contact, as the contact's state knew it.</param>
public sealed record InviteTrigger(
    string CampaignId, BehavioralEvent Event, EventOrigin Origin, DateTimeOffset Deadline, bool HasLocalHistory, DateTimeOffset ReceivedAt,
    string? EngineContactId = null);
