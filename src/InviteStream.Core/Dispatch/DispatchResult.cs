namespace InviteStream.Core.Dispatch;

/// <summary>What the engagement API (or the limiter in front of it) answered for one invite.</summary>
/// <param name="Unsent">
/// No request for the invite ever left for the engine (its deadline passed first, or the API's budget
/// refused it): its campaign permit went unused and is given back. False — counted — when in doubt.
/// </param>
/// <param name="EngineContactId">The engine's own id of the contact, when dispatch found it (kept with the contact's state).</param>
public sealed record DispatchResult(DispatchStatus Status, string? Reason = null, DateTimeOffset? SuppressedUntil = null, bool Unsent = false, string? EngineContactId = null)
{
    public static DispatchResult Delivered { get; } = new(DispatchStatus.Delivered);
}
