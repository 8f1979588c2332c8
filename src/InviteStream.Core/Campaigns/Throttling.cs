namespace InviteStream.Core.Campaigns;

/// <summary>The guide's <c>throttling</c> block.</summary>
public sealed record Throttling(int MaxInvitesPerContact, int CooldownSeconds, int MaxInvitesPerMinute)
{
    public TimeSpan Cooldown => TimeSpan.FromSeconds(CooldownSeconds);
}
