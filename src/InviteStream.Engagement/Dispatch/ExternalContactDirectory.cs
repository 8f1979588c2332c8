using System.Collections.Concurrent;

namespace InviteStream.Engagement.Dispatch;

/// <summary>
/// Genesys external contact ids found by identifier lookup, and identifiers found to name no
/// contact, each kept for <see cref="EngagementOptions.ContactIdCacheTtl"/>: a contact's later invites
/// cost no lookup, and an unknown contact's cost no call at all until the entry lapses.
/// </summary>
internal sealed class ExternalContactDirectory(EngagementOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Type, string Value), Entry> _entries = new();

    /// <summary>Whether the identifier was looked up recently; <paramref name="contactId"/> is null when it names no contact.</summary>
    public bool TryGet(string type, string value, out string? contactId)
    {
        contactId = null;
        if (!_entries.TryGetValue((type, value), out var entry))
        {
            return false;
        }

        if (entry.ExpiresAt <= time.GetUtcNow())
        {
            _entries.TryRemove(new KeyValuePair<(string, string), Entry>((type, value), entry));
            return false;
        }

        contactId = entry.ContactId;
        return true;
    }

    /// <param name="contactId">Null: the identifier names no contact.</param>
    public void Remember(string type, string value, string? contactId)
    {
        if (_entries.Count >= options.ContactIdCacheSize)
        {
            MakeRoom();
        }

        _entries[(type, value)] = new Entry(contactId, time.GetUtcNow() + options.ContactIdCacheTtl);
    }

    public void Forget(string type, string value) => _entries.TryRemove((type, value), out _);

    // Expired entries first; if that is not enough, the half that expires soonest.
    private void MakeRoom()
    {
        var now = time.GetUtcNow();
        foreach (var (key, entry) in _entries)
        {
            if (entry.ExpiresAt <= now)
            {
                _entries.TryRemove(key, out _);
            }
        }

        if (_entries.Count >= options.ContactIdCacheSize)
        {
            foreach (var (key, _) in _entries.OrderBy(e => e.Value.ExpiresAt).Take(Math.Max(1, _entries.Count / 2)).ToList())
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    private sealed record Entry(string? ContactId, DateTimeOffset ExpiresAt);
}
