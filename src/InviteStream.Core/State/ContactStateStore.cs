using System.Collections.Concurrent;
using InviteStream.Core.Events;

namespace InviteStream.Core.State;

/// <summary>
/// What the worker knows of each contact while it can still matter: the invites a cooldown could
/// still apply to, an invite handed to dispatch whose result is awaited, an engine suppression, and
/// the outcomes of events whose records are not committed yet. A contact is dropped once none of it
/// can matter any more, so memory follows active contacts, not every contact ever seen.
/// </summary>
/// <remarks>
/// Callers serialise work per contact (the pipeline keeps one contact's events in order), so a
/// read followed by a change for the same contact never races. Most contacts only have invites; the
/// rest of the state lives in a side table that holds few contacts at any time.
/// </remarks>
/// <param name="retention">How long an invite can still matter: the longest cooldown of any campaign.</param>
/// <param name="expectedContacts">About how many contacts it will hold soon (a restore's records): room made once instead of grown into.</param>
public sealed class ContactStateStore(TimeSpan retention, int expectedContacts = 0)
{
    private readonly ConcurrentDictionary<string, InviteRecord[]> _invites = new(Environment.ProcessorCount, Math.Max(expectedContacts, 31), StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ContactExtras> _extras = new(StringComparer.Ordinal);

    // Kept beside the contact's other state and dropped with it: a lookup the engine needs once per contact, not per replica or restart.
    private readonly ConcurrentDictionary<string, string> _engineContactIds = new(StringComparer.Ordinal);

    /// <summary>How long an invite can still matter: the longest cooldown of any campaign.</summary>
    public TimeSpan Retention { get; } = retention > TimeSpan.Zero
        ? retention
        : throw new ArgumentOutOfRangeException(nameof(retention), retention, "Retention must be positive.");

    /// <summary>Contacts held.</summary>
    public int Count => _invites.Count + _extras.Keys.Count(contactId => !_invites.ContainsKey(contactId));

    public IReadOnlyList<InviteRecord> InvitesOf(string contactId) =>
        _invites.TryGetValue(contactId, out var invites) ? invites : [];

    /// <summary>Whether the contact has anything but invites: a pending invite, an engine suppression or remembered outcomes.</summary>
    public bool HasMoreThanInvites(string contactId) => _extras.ContainsKey(contactId);

    /// <summary>The engine's own id of the contact, when dispatch found it while the contact's state was kept.</summary>
    public string? EngineContactIdOf(string contactId) => _engineContactIds.GetValueOrDefault(contactId);

    public PendingInvite? PendingOf(string contactId) => _extras.TryGetValue(contactId, out var extras) ? extras.Pending : null;

    public DateTimeOffset? SuppressedByEngineUntil(string contactId) =>
        _extras.TryGetValue(contactId, out var extras) ? extras.SuppressedByEngineUntil : null;

    /// <summary>The outcome already published for the event with <paramref name="requestId"/>, if it is remembered.</summary>
    public RememberedDecision? DecisionOf(string contactId, string requestId) =>
        _extras.TryGetValue(contactId, out var extras)
            ? Array.Find(extras.Decisions, d => string.Equals(d.RequestId, requestId, StringComparison.Ordinal))
            : null;

    /// <summary>How many outcomes of the contact are remembered (until their records are committed).</summary>
    public int RememberedCount(string contactId) => _extras.TryGetValue(contactId, out var extras) ? extras.Decisions.Length : 0;

    /// <summary>Every contact with an invite awaiting its dispatch result.</summary>
    public IEnumerable<(string ContactId, PendingInvite Pending)> PendingInvites() =>
        _extras.Where(e => e.Value.Pending is not null).Select(e => (e.Key, e.Value.Pending!));

    public ContactSnapshot ApplyInvite(string contactId, string campaignId, DateTimeOffset at)
    {
        AddInvite(contactId, campaignId, at);
        return Snapshot(contactId);
    }

    /// <summary>The contact has an invite handed to dispatch.</summary>
    public ContactSnapshot MarkPending(string contactId, PendingInvite pending)
    {
        ArgumentNullException.ThrowIfNull(pending);
        Update(contactId, extras => extras with { Pending = pending });
        return Snapshot(contactId);
    }

    /// <summary>
    /// Records the outcome of one of the contact's events: remembered until its record is committed,
    /// with what it changed (a delivered invite, an engine suppression, the pending invite settled).
    /// </summary>
    public ContactSnapshot Record(
        string contactId, RememberedDecision decision, InviteRecord? invite = null, DateTimeOffset? suppressedByEngineUntil = null, bool settlesPending = false,
        string? engineContactId = null)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (engineContactId is not null)
        {
            _engineContactIds[contactId] = engineContactId;
        }

        if (invite is { } delivered)
        {
            AddInvite(contactId, delivered.CampaignId, delivered.At);
        }

        Update(contactId, extras => extras with
        {
            Pending = settlesPending && extras.Pending?.RequestId == decision.RequestId ? null : extras.Pending,
            SuppressedByEngineUntil = Later(extras.SuppressedByEngineUntil, suppressedByEngineUntil),
            Decisions = [.. extras.Decisions.Where(d => d.RequestId != decision.RequestId), decision],
        });
        return Snapshot(contactId);
    }

    /// <summary>Forgets remembered outcomes whose records are all committed: none of them will be read again.</summary>
    public void ForgetDecisions(Func<EventOrigin, bool> committed)
    {
        ArgumentNullException.ThrowIfNull(committed);
        foreach (var (contactId, extras) in _extras)
        {
            if (Array.Exists(extras.Decisions, d => d.IsSettledBy(committed)))
            {
                Update(contactId, current => current with { Decisions = [.. current.Decisions.Where(d => !d.IsSettledBy(committed))] });
            }
        }
    }

    /// <summary>Forgets the contact's remembered outcomes (a replay reads nothing twice).</summary>
    public void ForgetDecisions(string contactId)
    {
        if (_extras.TryGetValue(contactId, out var extras) && extras.Decisions.Length > 0)
        {
            Update(contactId, current => current with { Decisions = [] });
        }
    }

    public ContactSnapshot Snapshot(string contactId)
    {
        var extras = _extras.GetValueOrDefault(contactId);
        return new ContactSnapshot(contactId, InvitesOf(contactId), extras?.Pending, extras?.SuppressedByEngineUntil, extras?.Decisions, EngineContactIdOf(contactId));
    }

    /// <summary>
    /// As <see cref="Restore(ContactSnapshot)"/> for the most common record, a contact with invites
    /// and nothing else but perhaps the engine's id; the store keeps <paramref name="invites"/> as it is.
    /// </summary>
    public void RestoreInvites(string contactId, InviteRecord[] invites, string? engineContactId)
    {
        ArgumentNullException.ThrowIfNull(invites);
        Keep(contactId, invites, engineContactId, extras: null);
    }

    public void Restore(ContactSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var extras = ContactExtras.HoldNothing(snapshot.Pending, snapshot.SuppressedByEngineUntil, snapshot.Decisions.Count)
            ? null
            : new ContactExtras(snapshot.Pending, snapshot.SuppressedByEngineUntil, [.. snapshot.Decisions]);
        Keep(snapshot.ContactId, [.. snapshot.Invites], snapshot.EngineContactId, extras);
    }

    /// <summary>The contacts none of whose state can matter any more at <paramref name="now"/>.</summary>
    public IEnumerable<string> Expired(DateTimeOffset now)
    {
        var horizon = now - Retention;
        foreach (var (contactId, invites) in _invites)
        {
            if (invites[^1].At <= horizon && !_extras.ContainsKey(contactId))
            {
                yield return contactId;
            }
        }

        foreach (var (contactId, extras) in _extras)
        {
            if (!_invites.ContainsKey(contactId) && extras.CanBeForgotten(now))
            {
                yield return contactId;
            }
        }
    }

    /// <summary>Drops the contact if none of its state can matter any more; false when it is (again) in use.</summary>
    public bool TryEvict(string contactId, DateTimeOffset now)
    {
        if (_extras.TryGetValue(contactId, out var extras) && !extras.CanBeForgotten(now))
        {
            return false;
        }

        if (_invites.TryGetValue(contactId, out var invites)
            && (invites[^1].At > now - Retention || !_invites.TryRemove(new KeyValuePair<string, InviteRecord[]>(contactId, invites))))
        {
            return false;
        }

        if (extras is not null)
        {
            _extras.TryRemove(new KeyValuePair<string, ContactExtras>(contactId, extras));
        }

        _engineContactIds.TryRemove(contactId, out _);
        return true;
    }

    /// <summary>Drops contacts none of whose state can matter any more; returns how many were dropped.</summary>
    /// <param name="onEvicted">Told each dropped contact, e.g. to write a changelog tombstone.</param>
    public int EvictExpired(DateTimeOffset now, Action<string>? onEvicted = null)
    {
        var evicted = 0;
        foreach (var contactId in Expired(now).ToList())
        {
            if (TryEvict(contactId, now))
            {
                evicted++;
                onEvicted?.Invoke(contactId);
            }
        }

        return evicted;
    }

    private void AddInvite(string contactId, string campaignId, DateTimeOffset at)
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

        // Milliseconds, as on the changelog: a restored store decides exactly as the one that wrote it.
        kept.Add(new InviteRecord(campaignId, IsoTimestamp.Truncate(at)));
        _invites[contactId] = [.. kept];
    }

    // Compare-and-swap: a contact's lane changes it while committed outcomes may be forgotten from another thread.
    private void Update(string contactId, Func<ContactExtras, ContactExtras> change)
    {
        while (true)
        {
            var current = _extras.GetValueOrDefault(contactId);
            var updated = change(current ?? ContactExtras.None);
            var done = updated.IsEmpty
                ? current is null || _extras.TryRemove(new KeyValuePair<string, ContactExtras>(contactId, current))
                : current is null ? _extras.TryAdd(contactId, updated) : _extras.TryUpdate(contactId, updated, current);
            if (done)
            {
                if (updated.IsEmpty && !_invites.ContainsKey(contactId))
                {
                    // Nothing left of the contact: nor of what it is called at the engine.
                    _engineContactIds.TryRemove(contactId, out _);
                }

                return;
            }
        }
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null || a >= b ? a : b;

    // The contact's whole state, in place of what was kept; a contact with none of it is forgotten,
    // the engine's id with it.
    private void Keep(string contactId, InviteRecord[] invites, string? engineContactId, ContactExtras? extras)
    {
        if (invites.Length == 0)
        {
            _invites.TryRemove(contactId, out _);
        }
        else
        {
            _invites[contactId] = invites;
        }

        if (engineContactId is not null && (invites.Length > 0 || extras is not null))
        {
            _engineContactIds[contactId] = engineContactId;
        }
        else
        {
            _engineContactIds.TryRemove(contactId, out _);
        }

        if (extras is null)
        {
            _extras.TryRemove(contactId, out _);
        }
        else
        {
            _extras[contactId] = extras;
        }
    }

    private sealed record ContactExtras(PendingInvite? Pending, DateTimeOffset? SuppressedByEngineUntil, RememberedDecision[] Decisions)
    {
        public static ContactExtras None { get; } = new(null, null, []);

        public bool IsEmpty => HoldNothing(Pending, SuppressedByEngineUntil, Decisions.Length);

        // Asked of a snapshot too, before any extras are built: most restored contacts hold only invites.
        public static bool HoldNothing(PendingInvite? pending, DateTimeOffset? suppressedByEngineUntil, int decisions) =>
            pending is null && suppressedByEngineUntil is null && decisions == 0;

        public bool CanBeForgotten(DateTimeOffset now) => Pending is null && Decisions.Length == 0 && !(SuppressedByEngineUntil > now);
    }
}
