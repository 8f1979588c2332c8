using InviteStream.Core.State;

namespace InviteStream.Core.Invites;

/// <summary>
/// Where a contact's new state is recorded so it survives restarts and moves with its partition
/// (the changelog of one partition's <see cref="ContactStateStore"/>).
/// </summary>
public interface IContactStateLog
{
    /// <summary>Completes once the snapshot is durable; a snapshot without invites forgets the contact.</summary>
    Task AppendAsync(ContactSnapshot snapshot, CancellationToken cancellationToken);
}
