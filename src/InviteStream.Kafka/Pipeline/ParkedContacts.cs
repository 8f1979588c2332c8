using System.Collections.Concurrent;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// The contacts of a partition whose invite is out for dispatch: their later events wait until the
/// dispatch result settles the contact's state, so each is decided on what the invite came to.
/// </summary>
internal sealed class ParkedContacts
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _parked = new(StringComparer.Ordinal);

    /// <summary>Completes once the contact's pending invite is settled (cancelled when the partition stops).</summary>
    public Task WaitFor(string contactId) =>
        _parked.GetOrAdd(contactId, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>The contact's pending invite is settled (or nothing of it is pending any more).</summary>
    public void Release(string contactId)
    {
        if (_parked.TryRemove(contactId, out var parked))
        {
            parked.TrySetResult();
        }
    }

    /// <summary>The partition stops: whatever waits is abandoned and read again by the partition's next owner.</summary>
    public void CancelAll()
    {
        foreach (var contactId in _parked.Keys)
        {
            if (_parked.TryRemove(contactId, out var parked))
            {
                parked.TrySetCanceled();
            }
        }
    }
}
