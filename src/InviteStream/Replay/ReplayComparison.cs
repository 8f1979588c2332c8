using InviteStream.Core.Outcomes;

namespace InviteStream.Replay;

/// <summary>
/// The same events decided under two campaign sets: per campaign, invites gained and lost, and the
/// contacts whose outcome changed. Outcomes are matched by request id as they come; only events
/// still waiting for their counterpart are held.
/// </summary>
internal sealed class ReplayComparison
{
    private const int ContactsListed = 20;

    private readonly Dictionary<string, InviteOutcome> _baseline = new(StringComparer.Ordinal);
    private readonly Dictionary<string, InviteOutcome> _candidate = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, (int Gained, int Lost)> _invites = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _changedContacts = new(StringComparer.Ordinal);

    public int ChangedEvents { get; private set; }

    public IReadOnlyCollection<string> ChangedContacts => _changedContacts;

    public (int Gained, int Lost) InvitesOf(string campaignId) => _invites.GetValueOrDefault(campaignId);

    public void Baseline(InviteOutcome outcome) => Match(outcome, _baseline, _candidate, baselineFirst: true);

    public void Candidate(InviteOutcome outcome) => Match(outcome, _candidate, _baseline, baselineFirst: false);

    /// <summary>Events with an outcome under one set only (no campaign matched under the other) count as changed.</summary>
    public void Complete()
    {
        foreach (var outcome in _baseline.Values)
        {
            Compare(outcome, null);
        }

        foreach (var outcome in _candidate.Values)
        {
            Compare(null, outcome);
        }

        _baseline.Clear();
        _candidate.Clear();
    }

    public void Write(TextWriter output)
    {
        output.WriteLine($"Compared with the second campaign set: {ChangedEvents:N0} event(s) decided differently, {_changedContacts.Count:N0} contact(s) affected.");
        if (_invites.Count > 0)
        {
            output.WriteLine("campaign  invites gained  invites lost");
            foreach (var (campaign, (gained, lost)) in _invites)
            {
                output.WriteLine($"{campaign}  {gained:N0}  {lost:N0}");
            }
        }

        if (_changedContacts.Count > 0)
        {
            var listed = _changedContacts.Take(ContactsListed).ToList();
            output.WriteLine($"Contacts whose outcome changed{(listed.Count < _changedContacts.Count ? $" (first {listed.Count})" : "")}: {string.Join(", ", listed)}");
        }
    }

    private void Match(InviteOutcome outcome, Dictionary<string, InviteOutcome> mine, Dictionary<string, InviteOutcome> theirs, bool baselineFirst)
    {
        if (theirs.Remove(outcome.RequestId, out var counterpart))
        {
            if (baselineFirst)
            {
                Compare(outcome, counterpart);
            }
            else
            {
                Compare(counterpart, outcome);
            }
        }
        else
        {
            mine[outcome.RequestId] = outcome;
        }
    }

    private void Compare(InviteOutcome? baseline, InviteOutcome? candidate)
    {
        if (baseline is not null && candidate is not null && baseline.Status == candidate.Status && baseline.CampaignId == candidate.CampaignId && baseline.Reason == candidate.Reason)
        {
            return;
        }

        ChangedEvents++;
        _changedContacts.Add((baseline ?? candidate)!.ContactId);
        if (baseline is { Status: OutcomeStatus.WouldDeliver, CampaignId: { } lostFrom })
        {
            var (gained, lost) = _invites.GetValueOrDefault(lostFrom);
            _invites[lostFrom] = (gained, lost + 1);
        }

        if (candidate is { Status: OutcomeStatus.WouldDeliver, CampaignId: { } gainedBy })
        {
            var (gained, lost) = _invites.GetValueOrDefault(gainedBy);
            _invites[gainedBy] = (gained + 1, lost);
        }
    }
}
