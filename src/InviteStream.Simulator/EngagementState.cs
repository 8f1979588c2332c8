using System.Collections.Concurrent;
using System.Text.Json;
using InviteStream.Core.Campaigns;
using InviteStream.Simulator.Rules;

namespace InviteStream.Simulator;

/// <summary>
/// What the simulated Predictive Engagement engine knows: campaigns, each contact's invites
/// (its suppression tokens, consolidated across campaigns), the ledger of delivered invites, and
/// the answers already given per requestId (so a retried or replayed trigger is answered the same).
/// It decides with its own reading of the guide's rules (<see cref="EngineCampaign"/>,
/// <see cref="CooldownBook"/>), never with the product's, so end-to-end tests can use it as an
/// independent oracle.
/// </summary>
public sealed class EngagementState(TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<string, (Campaign Campaign, EngineCampaign Rules)> _campaigns = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CooldownBook> _contacts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TriggerAnswer> _answers = new(StringComparer.Ordinal);
    private readonly List<DeliveredInvite> _ledger = [];
    private readonly List<ReceivedTrigger> _received = [];
    private readonly List<SegmentAssignment> _segmentAssignments = [];
    private readonly List<string> _segmentLog = [];
    private readonly Dictionary<(string Type, string Value), string> _externalContacts = [];

    public IReadOnlyCollection<Campaign> Campaigns => [.. _campaigns.Values.Select(known => known.Campaign)];

    /// <exception cref="ArgumentException">The engine cannot read the campaign's filters or throttling.</exception>
    public void Upsert(Campaign campaign)
    {
        if (!TryUpsert(campaign, out var error))
        {
            throw new ArgumentException($"campaign {campaign.Id}: {error}", nameof(campaign));
        }
    }

    /// <summary>Adds or replaces a campaign, read from its definition as written.</summary>
    public bool TryUpsert(Campaign campaign, out string error)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        if (!EngineCampaign.TryRead(campaign.Definition, out var rules, out error))
        {
            return false;
        }

        _campaigns[campaign.Id] = (campaign, rules);
        return true;
    }

    public bool TryGetCampaign(string id, out Campaign campaign)
    {
        var found = _campaigns.TryGetValue(id, out var known);
        campaign = known.Campaign;
        return found;
    }

    public IReadOnlyList<DeliveredInvite> Ledger
    {
        get
        {
            lock (_lock)
            {
                return [.. _ledger];
            }
        }
    }

    public IReadOnlyList<ReceivedTrigger> Received
    {
        get
        {
            lock (_lock)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>The segments held now (not yet past their unassignment time).</summary>
    public IReadOnlyList<SegmentAssignment> SegmentAssignments
    {
        get
        {
            lock (_lock)
            {
                var now = time.GetUtcNow();
                return [.. _segmentAssignments.Where(a => a.UnassignAt > now)];
            }
        }
    }

    /// <summary>Every assign and unassign, in order: <c>assign contact segment</c> / <c>unassign contact segment</c>.</summary>
    public IReadOnlyList<string> SegmentLog
    {
        get
        {
            lock (_lock)
            {
                return [.. _segmentLog];
            }
        }
    }

    /// <summary>Assigns the segment, or, when the contact holds it, only extends its unassignment time (as Genesys does).</summary>
    public void Assign(string contactId, string segmentId, TimeSpan lifetime)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            _segmentLog.Add($"assign {contactId} {segmentId}");
            var held = _segmentAssignments.FindIndex(a => a.ContactId == contactId && a.SegmentId == segmentId && a.UnassignAt > now);
            if (held >= 0)
            {
                _segmentAssignments[held] = _segmentAssignments[held] with { UnassignAt = now + lifetime, Assignments = _segmentAssignments[held].Assignments + 1 };
                return;
            }

            _segmentAssignments.Add(new SegmentAssignment(contactId, segmentId, now, now + lifetime));
        }
    }

    public void Unassign(string contactId, string segmentId)
    {
        lock (_lock)
        {
            _segmentLog.Add($"unassign {contactId} {segmentId}");
            _segmentAssignments.RemoveAll(a => a.ContactId == contactId && a.SegmentId == segmentId);
        }
    }

    /// <summary>Adds an external contact known by this identifier (as a CRM sync would) and returns its id.</summary>
    public string AddExternalContact(string identifierType, string identifierValue)
    {
        lock (_lock)
        {
            if (!_externalContacts.TryGetValue((identifierType, identifierValue), out var id))
            {
                _externalContacts[(identifierType, identifierValue)] = id = Guid.NewGuid().ToString();
            }

            return id;
        }
    }

    /// <summary>The id of the external contact known by this identifier, if any.</summary>
    public string? FindExternalContact(string identifierType, string identifierValue)
    {
        lock (_lock)
        {
            return _externalContacts.GetValueOrDefault((identifierType, identifierValue));
        }
    }

    public bool IsExternalContact(string id)
    {
        lock (_lock)
        {
            return _externalContacts.ContainsValue(id);
        }
    }

    public void Record(ReceivedTrigger trigger)
    {
        lock (_lock)
        {
            _received.Add(trigger);
        }
    }

    /// <summary>Evaluates a trigger: strict typed filters, then consolidated suppression.</summary>
    public TriggerAnswer Trigger(Campaign campaign, string contactId, string channelId, JsonElement sessionData, string? requestId, string? correlationId)
    {
        var rules = RulesOf(campaign);
        // Like the real engine, a filter that does not match (wrong type, missing key) is just a
        // negative evaluation: no error tells the caller why.
        var eligible = rules.Matches(sessionData);
        lock (_lock)
        {
            if (requestId is not null && _answers.TryGetValue(requestId, out var earlier))
            {
                return earlier;
            }

            var answer = eligible ? Invite(rules, contactId, channelId, sessionData, requestId, correlationId) : TriggerAnswer.NotEligible;
            if (requestId is not null)
            {
                _answers[requestId] = answer;
            }

            return answer;
        }
    }

    /// <summary>When every campaign may invite the contact again, or null when one may now.</summary>
    public DateTimeOffset? SuppressedUntil(string contactId)
    {
        lock (_lock)
        {
            if (!_contacts.TryGetValue(contactId, out var book))
            {
                return null;
            }

            var now = time.GetUtcNow();
            DateTimeOffset? latest = null;
            foreach (var (_, rules) in _campaigns.Values)
            {
                if (book.SuppressedUntil(rules, now) is { } until && (latest is null || until > latest))
                {
                    latest = until;
                }
            }

            return latest;
        }
    }

    private EngineCampaign RulesOf(Campaign campaign)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        if (_campaigns.TryGetValue(campaign.Id, out var known) && ReferenceEquals(known.Campaign, campaign))
        {
            return known.Rules;
        }

        return EngineCampaign.TryRead(campaign.Definition, out var rules, out var error)
            ? rules
            : throw new ArgumentException($"campaign {campaign.Id}: {error}", nameof(campaign));
    }

    private TriggerAnswer Invite(
        EngineCampaign campaign, string contactId, string channelId, JsonElement sessionData, string? requestId, string? correlationId)
    {
        var now = time.GetUtcNow();
        if (!_contacts.TryGetValue(contactId, out var book))
        {
            book = new CooldownBook();
            _contacts[contactId] = book;
        }

        if (book.SuppressedUntil(campaign, now) is { } until)
        {
            return TriggerAnswer.Suppressed(until);
        }

        book.Record(campaign.Id, now);
        _ledger.Add(new DeliveredInvite(campaign.Id, contactId, channelId, requestId, correlationId, now, sessionData.Clone()));
        return TriggerAnswer.Delivered;
    }
}
