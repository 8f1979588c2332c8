namespace InviteStream.Core.Dispatch;

/// <summary>
/// The port through which decided invites leave the core. Implementations own rate limiting,
/// retries and the HTTP contract of one engagement API.
/// </summary>
public interface IInviteDispatcher
{
    Task<DispatchResult> DispatchAsync(InviteRequest request, CancellationToken cancellationToken);
}
