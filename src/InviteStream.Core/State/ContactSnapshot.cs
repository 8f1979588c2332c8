namespace InviteStream.Core.State;

/// <summary>Everything the store knows of one contact, as written to and restored from a changelog.</summary>
/// <param name="Pending">The invite handed to dispatch whose result is awaited, if any.</param>
/// <param name="SuppressedByEngineUntil">Until when the engine said it suppresses invites to this contact.</param>
/// <param name="Decisions">Outcomes published for events whose records are not committed yet.</param>
/// <param name="EngineContactId">The engine's own id of the contact (a Genesys external contact id), once dispatch has found it.</param>
public sealed record ContactSnapshot(
    string ContactId,
    IReadOnlyList<InviteRecord> Invites,
    PendingInvite? Pending = null,
    DateTimeOffset? SuppressedByEngineUntil = null,
    IReadOnlyList<RememberedDecision>? Decisions = null,
    string? EngineContactId = null)
{
    public IReadOnlyList<RememberedDecision> Decisions { get; } = Decisions ?? [];

    /// <summary>Whether the snapshot holds nothing (a tombstone: the contact is forgotten).</summary>
    public bool IsEmpty => Invites.Count == 0 && Pending is null && SuppressedByEngineUntil is null && Decisions.Count == 0;
}
