using System.Collections.Concurrent;

namespace InviteStream.Core.State;

/// <summary>
/// The invites each contact received while any cooldown could still apply to them. A contact's
/// entry is dropped once its newest invite is older than <paramref name="retention"/> (the longest
/// cooldown of any campaign), so memory follows active contacts, not every contact ever seen.
/// </summary>
/// <remarks>
/// Callers serialise work per contact (the pipeline keeps one contact's events in order), so a
/// read followed by <see cref="ApplyInvite"/> for the same contact never races.
/// </remarks>
public sealed class ContactStateStore(TimeSpan retention)
{
    private readonly ConcurrentDictionary<string, InviteRecord[]> _contacts = new(StringComparer.Ordinal);

    public TimeSpan Retention { get; } = retention > TimeSpan.Zero
        ? retention
        : throw new ArgumentOutOfRangeException(nameof(retention), retention, "Retention must be positive.");

    public int Count => _contacts.Count;

    public IReadOnlyList<InviteRecord> InvitesOf(string contactId) =>
        _contacts.TryGetValue(contactId, out var invites) ? invites : [];

    public ContactSnapshot ApplyInvite(string contactId, string campaignId, DateTimeOffset at)
    {
        var current = InvitesOf(contactId);
        var horizon = at - Retention;
        var kept = new List<InviteRecord>(current.Count + 1);
        foreach (var invite in current)
        {
            if (invite.At > horizon)
            {
                kept.Add(invite);
            }
        }

        kept.Add(new InviteRecord(campaignId, at));
        var updated = kept.ToArray();
        _contacts[contactId] = updated;
        return new ContactSnapshot(contactId, updated);
    }

    public ContactSnapshot Snapshot(string contactId) => new(contactId, InvitesOf(contactId));

    public void Restore(ContactSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.Invites.Count == 0)
        {
            _contacts.TryRemove(snapshot.ContactId, out _);
        }
        else
        {
            _contacts[snapshot.ContactId] = [.. snapshot.Invites];
        }
    }

    /// <summary>Drops contacts no cooldown can apply to any more; returns how many were dropped.</summary>
    /// <param name="onEvicted">Told each dropped contact, e.g. to write a changelog tombstone.</param>
    public int EvictExpired(DateTimeOffset now, Action<string>? onEvicted = null)
    {
        var horizon = now - Retention;
        var evicted = 0;
        foreach (var (contactId, invites) in _contacts)
        {
            if (invites[^1].At <= horizon && _contacts.TryRemove(new KeyValuePair<string, InviteRecord[]>(contactId, invites)))
            {
                evicted++;
                onEvicted?.Invoke(contactId);
            }
        }

        return evicted;
    }
}
