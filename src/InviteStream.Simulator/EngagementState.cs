using System.Collections.Concurrent;
using System.Text.Json;
using InviteStream.Core.Attributes;
using InviteStream.Core.Campaigns;
using InviteStream.Core.Decisions;
using InviteStream.Core.Filters;
using InviteStream.Core.State;

namespace InviteStream.Simulator;

/// <summary>
/// What the simulated Predictive Engagement engine knows: campaigns, each contact's invites
/// (its suppression tokens, consolidated across campaigns), the ledger of delivered invites, and
/// the answers already given per requestId (so a retried or replayed trigger is answered the same).
/// </summary>
public sealed class EngagementState(TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<string, Campaign> _campaigns = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<InviteRecord>> _contacts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TriggerAnswer> _answers = new(StringComparer.Ordinal);
    private readonly List<DeliveredInvite> _ledger = [];
    private readonly List<ReceivedTrigger> _received = [];
    private readonly List<SegmentAssignment> _segmentAssignments = [];

    public IReadOnlyCollection<Campaign> Campaigns => [.. _campaigns.Values];

    public void Upsert(Campaign campaign) => _campaigns[campaign.Id] = campaign;

    public bool TryGetCampaign(string id, out Campaign campaign) => _campaigns.TryGetValue(id, out campaign!);

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

    public IReadOnlyList<SegmentAssignment> SegmentAssignments
    {
        get
        {
            lock (_lock)
            {
                return [.. _segmentAssignments];
            }
        }
    }

    public void Assign(string contactId, string segmentId)
    {
        lock (_lock)
        {
            _segmentAssignments.Add(new SegmentAssignment(contactId, segmentId, time.GetUtcNow()));
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
        var attributes = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
        foreach (var property in sessionData.EnumerateObject())
        {
            if (AttributeJson.TryRead(property.Value, out var value, out _))
            {
                attributes[property.Name] = value;
            }
        }

        lock (_lock)
        {
            if (requestId is not null && _answers.TryGetValue(requestId, out var earlier))
            {
                return earlier;
            }

            var answer = Decide(campaign, contactId, channelId, attributes, sessionData, requestId, correlationId);
            if (requestId is not null)
            {
                _answers[requestId] = answer;
            }

            return answer;
        }
    }

    public DateTimeOffset? SuppressedUntil(string contactId)
    {
        lock (_lock)
        {
            if (!_contacts.TryGetValue(contactId, out var invites))
            {
                return null;
            }

            var now = time.GetUtcNow();
            DateTimeOffset? latest = null;
            foreach (var campaign in _campaigns.Values)
            {
                if (CooldownRule.SuppressedUntil(campaign, invites, now, consolidated: true) is { } until && (latest is null || until > latest))
                {
                    latest = until;
                }
            }

            return latest;
        }
    }

    private TriggerAnswer Decide(
        Campaign campaign, string contactId, string channelId, Dictionary<string, AttributeValue> attributes,
        JsonElement sessionData, string? requestId, string? correlationId)
    {
        // Like the real engine, a filter that does not match (wrong type, missing key) is just a
        // negative evaluation: no error tells the caller why.
        foreach (var filter in campaign.Filters)
        {
            if (!FilterEvaluator.Evaluate(filter, attributes).IsMatch)
            {
                return TriggerAnswer.NotEligible;
            }
        }

        var now = time.GetUtcNow();
        var invites = _contacts.TryGetValue(contactId, out var known) ? known : [];
        if (CooldownRule.SuppressedUntil(campaign, invites, now, consolidated: true) is { } until)
        {
            return TriggerAnswer.Suppressed(until);
        }

        invites.Add(new InviteRecord(campaign.Id, now));
        _contacts[contactId] = invites;
        _ledger.Add(new DeliveredInvite(campaign.Id, contactId, channelId, requestId, correlationId, now, sessionData.Clone()));
        return TriggerAnswer.Delivered;
    }
}
