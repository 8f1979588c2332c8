namespace InviteStream.Core.State;

/// <summary>Everything the store knows of one contact, as written to and restored from a changelog.</summary>
public sealed record ContactSnapshot(string ContactId, IReadOnlyList<InviteRecord> Invites);
