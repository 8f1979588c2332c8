using InviteStream.Core.Events;

namespace InviteStream.Core.State;

/// <summary>An invite decided for a contact and handed to dispatch, whose result has not come back yet.</summary>
/// <param name="DecidedFrom">
/// The record the deciding event was read from (null in records written before it was kept): the
/// event is read again after a crash until that record is committed, whenever its result settles.
/// </param>
public sealed record PendingInvite(string RequestId, string CampaignId, DateTimeOffset DecidedAt, EventOrigin? DecidedFrom = null);
