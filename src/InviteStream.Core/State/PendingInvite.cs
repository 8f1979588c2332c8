namespace InviteStream.Core.State;

/// <summary>An invite decided for a contact and handed to dispatch, whose result has not come back yet.</summary>
public sealed record PendingInvite(string RequestId, string CampaignId, DateTimeOffset DecidedAt);
