namespace InviteStream.Simulator.Rules;

/// <summary>A campaign's contact-level frequency cap: at most this many invites in any cooldown window.</summary>
internal sealed record ContactThrottle(int MaxInvitesPerContact, TimeSpan Cooldown);
