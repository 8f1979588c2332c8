namespace InviteStream.Core.Dispatch;

/// <summary>
/// The port through which decided invites leave the core. Implementations own the API's budget,
/// retries and the HTTP contract of one engagement API.
/// </summary>
public interface IInviteDispatcher
{
    /// <summary>
    /// The engine's own suppression of the contact, asked before any permit is taken where that is
    /// configured (it costs a request of the API's budget); null when not suppressed, not asked or not known.
    /// </summary>
    Task<DateTimeOffset?> SuppressedUntilAsync(InviteRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the API permit of the invite's first attempt now, so the campaign's permit and the API's
    /// are taken together (or the campaign's is given back); false when none can be had by <paramref name="deadline"/>.
    /// </summary>
    ValueTask<bool> ReserveFirstAttemptAsync(DateTimeOffset deadline, CancellationToken cancellationToken);

    Task<DispatchResult> DispatchAsync(InviteRequest request, CancellationToken cancellationToken);
}
