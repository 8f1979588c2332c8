namespace InviteStream.Core.State;

/// <summary>One invite delivered to a contact: which campaign, and when.</summary>
public readonly record struct InviteRecord(string CampaignId, DateTimeOffset At);
