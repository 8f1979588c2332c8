using System.Collections.Concurrent;
using InviteStream.Core.Campaigns;
using InviteStream.Core.Dispatch;
using InviteStream.Core.RateLimiting;

namespace InviteStream.Core.Invites;

/// <summary>
/// The send budgets of the campaigns one dispatcher owns: a rolling-window limiter per campaign at
/// its full <c>maxInvitesPerMinute</c> (a campaign's invites are all dispatched by the owner of its
/// budget, so the cap needs no sharing between replicas). Every grant is recorded in the
/// <see cref="IGrantLog"/> before it is used, so a new owner restores it and the cap holds in any
/// window, across restarts. An invite asking again (decided again after a crash) gets its earlier grant.
/// Grants are paced (see <see cref="RollingWindowRateLimiter"/>): under sustained demand every window
/// uses the cap, or all but one of it. A grant counts from when its request was answered (<see cref="AnsweredAsync"/>); one restored
/// unanswered (its owner crashed mid-request) counts from its grant plus <paramref name="requestAllowance"/>,
/// the longest its request may still be on its way.
/// </summary>
/// <param name="log">Where grants are recorded; null keeps them only here (a replay, which nobody takes over).</param>
public sealed class CampaignPermits(IGrantLog? log, TimeProvider time, TimeSpan window, TimeSpan requestAllowance, IPermitWaits? waits = null) : IDisposable
{
    private readonly ConcurrentDictionary<string, CampaignBudget> _budgets = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time;
    private readonly TimeSpan _requestAllowance = requestAllowance;
    private volatile bool _closed;

    public TimeSpan Window { get; } = window;

    /// <summary>
    /// A permit of <paramref name="campaign"/> for the invite <paramref name="requestId"/>: when it was
    /// granted, or null when none can be had by <paramref name="deadline"/>. The request is queued
    /// (first in, first served) when this method returns, before its task completes.
    /// </summary>
    public async ValueTask<DateTimeOffset?> AcquireAsync(Campaign campaign, string requestId, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        var budget = BudgetOf(campaign);
        if (budget.Reissue(requestId) is { } earlier)
        {
            return earlier;
        }

        if (_closed)
        {
            throw new OperationCanceledException("The campaign budgets are moving to another owner.");
        }

        var asked = _time.GetTimestamp();
        var granted = await budget.Limiter.AcquireGrantAsync(deadline, cancellationToken);
        waits?.Waited("campaign", _time.GetElapsedTime(asked), granted is not null);
        if (granted is not { } grantedAt)
        {
            return null;
        }

        budget.Add(new Grant(grantedAt, requestId));
        await RecordAsync(campaign, budget, cancellationToken);
        return grantedAt;
    }

    /// <summary>
    /// The budgets are moving to another owner (a graceful handover): invites still waiting for a
    /// permit, and any asking later, are cancelled — the next owner serves them, from the grants
    /// recorded here — instead of holding the handover until their deadlines.
    /// </summary>
    public void Close()
    {
        _closed = true;
        foreach (var budget in _budgets.Values)
        {
            budget.Limiter.Close();
        }
    }

    /// <summary>
    /// Gives back a permit the invite did not use (the API's budget refused it, its deadline passed
    /// before it was sent), and records that. Only a grant made here and never answered: one restored
    /// from an earlier owner stays counted, because that owner may have sent its request before it
    /// stopped. False when nothing was given back.
    /// </summary>
    public async Task<bool> ReturnAsync(Campaign campaign, string requestId, DateTimeOffset grantedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        var budget = BudgetOf(campaign);
        if (!budget.MadeHere(requestId, grantedAt))
        {
            return false;
        }

        budget.Limiter.Return(grantedAt);
        budget.Remove(requestId);
        await RecordAsync(campaign, budget, cancellationToken);
        return true;
    }

    /// <summary>
    /// The invite's request was answered at <paramref name="answeredAt"/>: its permit counts from then,
    /// here and (once recorded) for the next owner.
    /// </summary>
    public async Task AnsweredAsync(Campaign campaign, string requestId, DateTimeOffset answeredAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        var budget = BudgetOf(campaign);
        if (budget.Answer(requestId, answeredAt) is not { } grantedAt)
        {
            return;
        }

        budget.Limiter.Hold(grantedAt, answeredAt);
        await RecordAsync(campaign, budget, cancellationToken);
    }

    /// <summary>Counts grants recorded by an earlier owner of the campaign's budget.</summary>
    public void Restore(Campaign campaign, IReadOnlyList<Grant> grants)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(grants);
        var budget = BudgetOf(campaign);
        budget.Restore(grants);
    }

    /// <summary>Every campaign's grants still inside the window.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Grant>> RecentGrants() =>
        _budgets.ToDictionary(b => b.Key, IReadOnlyList<Grant> (b) => b.Value.Recent(), StringComparer.Ordinal);

    public void Dispose()
    {
        foreach (var budget in _budgets.Values)
        {
            budget.Limiter.Dispose();
        }
    }

    // The log reads the grants when its write begins: one read per write, not one per change.
    private Task RecordAsync(Campaign campaign, CampaignBudget budget, CancellationToken cancellationToken) =>
        log is null ? Task.CompletedTask : log.RecordAsync(campaign.Id, budget.AddRecentTo, cancellationToken);

    private CampaignBudget BudgetOf(Campaign campaign) =>
        _budgets.GetOrAdd(campaign.Id, static (_, state) => new CampaignBudget(
            new RollingWindowRateLimiter(state.campaign.Throttling.MaxInvitesPerMinute, state.self.Window, state.self._time, paced: true),
            state.self._time,
            state.self.Window,
            state.self._requestAllowance),
            (campaign, self: this));

    /// <summary>One campaign's limiter and the invites its grants went to.</summary>
    private sealed class CampaignBudget(RollingWindowRateLimiter limiter, TimeProvider time, TimeSpan window, TimeSpan requestAllowance)
    {
        private readonly Lock _lock = new();

        // Oldest first: every change is a binary search and a shift, because under a high cap the
        // window holds thousands of grants and every invite adds one and answers it.
        private readonly List<Grant> _grants = [];

        // By request id, for the lookups every invite makes (the list can hold a whole cap's grants).
        private readonly Dictionary<string, Grant> _byRequest = new(StringComparer.Ordinal);
        // Grants that another dispatch may have used (restored from an earlier owner, or handed out again).
        private readonly HashSet<string> _kept = new(StringComparer.Ordinal);

        public RollingWindowRateLimiter Limiter { get; } = limiter;

        /// <summary>
        /// The invite's earlier grant, when it asks again: from then on it may have been sent by
        /// another dispatch of the same invite, so it is never given back.
        /// </summary>
        public DateTimeOffset? Reissue(string requestId)
        {
            lock (_lock)
            {
                Prune();
                if (!_byRequest.TryGetValue(requestId, out var grant))
                {
                    return null;
                }

                _kept.Add(requestId);
                return grant.At;
            }
        }

        /// <summary>Whether the invite holds this grant, made by this owner for one dispatch only, and not yet answered.</summary>
        public bool MadeHere(string requestId, DateTimeOffset grantedAt)
        {
            lock (_lock)
            {
                return _byRequest.TryGetValue(requestId, out var grant) && grant.At == grantedAt && !grant.Answered && !_kept.Contains(requestId);
            }
        }

        public void Add(Grant grant)
        {
            lock (_lock)
            {
                Prune();
                Insert(grant);
                _byRequest[grant.RequestId] = grant;
            }
        }

        /// <summary>Moves the invite's grant to <paramref name="answeredAt"/>; null when it holds none (or an answered one).</summary>
        public DateTimeOffset? Answer(string requestId, DateTimeOffset answeredAt)
        {
            lock (_lock)
            {
                if (!_byRequest.TryGetValue(requestId, out var held) || held.Answered || answeredAt <= held.At)
                {
                    return null;
                }

                var answered = new Grant(answeredAt, requestId, Answered: true);
                _grants.RemoveAt(IndexOf(held));
                Insert(answered);
                _byRequest[requestId] = answered;
                Prune();
                return held.At;
            }
        }

        public void Remove(string requestId)
        {
            lock (_lock)
            {
                if (_byRequest.Remove(requestId, out var grant))
                {
                    _kept.Remove(requestId);
                    _grants.RemoveAt(IndexOf(grant));
                }

                Prune();
            }
        }

        public void Restore(IReadOnlyList<Grant> grants)
        {
            lock (_lock)
            {
                // Recorded to the millisecond: counted until a millisecond later, never less. An
                // unanswered one may still reach the engine until its request allowance ends.
                var added = grants.Where(g => !_byRequest.ContainsKey(g.RequestId))
                    .Select(g => g with { At = g.Answered ? g.At.AddMilliseconds(1) : g.At + requestAllowance })
                    .ToList();
                foreach (var grant in added)
                {
                    Insert(grant);
                    _byRequest[grant.RequestId] = grant;
                    _kept.Add(grant.RequestId);
                }

                Prune();
                Limiter.Restore(added.Select(g => g.At));
            }
        }

        /// <summary>A copy of the grants still inside the window, oldest first.</summary>
        public List<Grant> Recent()
        {
            var grants = new List<Grant>();
            AddRecentTo(grants);
            return grants;
        }

        /// <summary>Adds the grants still inside the window to <paramref name="grants"/>, oldest first.</summary>
        public void AddRecentTo(List<Grant> grants)
        {
            lock (_lock)
            {
                Prune();
                grants.AddRange(_grants);
            }
        }

        // After any grant of the same time: grants mostly come in time order, so this is near the end.
        private void Insert(Grant grant) => _grants.Insert(UpperBound(grant.At), grant);

        private int IndexOf(Grant grant)
        {
            var index = UpperBound(grant.At) - 1;
            while (index >= 0 && !string.Equals(_grants[index].RequestId, grant.RequestId, StringComparison.Ordinal))
            {
                index--;
            }

            return index >= 0 ? index : throw new InvalidOperationException($"grant of {grant.RequestId} not in the budget");
        }

        // The first index whose grant is later than `at`.
        private int UpperBound(DateTimeOffset at)
        {
            int low = 0, high = _grants.Count;
            while (low < high)
            {
                var middle = (low + high) >>> 1;
                if (_grants[middle].At <= at)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle;
                }
            }

            return low;
        }

        // The grants that left the window are a prefix of the list.
        private void Prune()
        {
            if (_grants.Count == 0)
            {
                return;
            }

            var horizon = time.GetUtcNow() - window;
            if (_grants[0].At > horizon)
            {
                return;
            }

            var gone = UpperBound(horizon);
            for (var i = 0; i < gone; i++)
            {
                _byRequest.Remove(_grants[i].RequestId);
                _kept.Remove(_grants[i].RequestId);
            }

            _grants.RemoveRange(0, gone);
        }
    }
}
