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

        await RecordAsync(campaign, budget.Add(new Grant(grantedAt, requestId), snapshot: Journaled), cancellationToken);
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
        await RecordAsync(campaign, budget.Remove(requestId, snapshot: Journaled), cancellationToken);
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
        if (budget.Answer(requestId, answeredAt, snapshot: Journaled) is not var (grantedAt, grants))
        {
            return;
        }

        budget.Limiter.Hold(grantedAt, answeredAt);
        await RecordAsync(campaign, grants, cancellationToken);
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
        _budgets.ToDictionary(b => b.Key, b => b.Value.Recent(), StringComparer.Ordinal);

    public void Dispose()
    {
        foreach (var budget in _budgets.Values)
        {
            budget.Limiter.Dispose();
        }
    }

    // Whether grants go to a log: only then are the budget's grants copied for it.
    private bool Journaled => log is not null;

    private Task RecordAsync(Campaign campaign, IReadOnlyList<Grant>? grants, CancellationToken cancellationToken) =>
        log is null ? Task.CompletedTask : log.RecordAsync(campaign.Id, grants!, cancellationToken);

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
        private readonly List<Grant> _grants = [];

        // By request id, for the lookups every invite makes (the list can hold a whole cap's grants).
        private readonly Dictionary<string, Grant> _byRequest = new(StringComparer.Ordinal);
        // Grants that another dispatch may have used (restored from an earlier owner, or handed out again).
        private readonly HashSet<string> _kept = new(StringComparer.Ordinal);
        private DateTimeOffset _oldest = DateTimeOffset.MaxValue;

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

        /// <param name="snapshot">Whether to hand back a copy of the grants (for the grant log).</param>
        public IReadOnlyList<Grant>? Add(Grant grant, bool snapshot)
        {
            lock (_lock)
            {
                Prune();
                _grants.Add(grant);
                _byRequest[grant.RequestId] = grant;
                _oldest = grant.At < _oldest ? grant.At : _oldest;
                return snapshot ? [.. _grants] : null;
            }
        }

        /// <summary>Moves the invite's grant to <paramref name="answeredAt"/>; null when it holds none (or an answered one).</summary>
        public (DateTimeOffset GrantedAt, IReadOnlyList<Grant>? Grants)? Answer(string requestId, DateTimeOffset answeredAt, bool snapshot)
        {
            lock (_lock)
            {
                if (!_byRequest.TryGetValue(requestId, out var held) || held.Answered || answeredAt <= held.At)
                {
                    return null;
                }

                var index = _grants.FindIndex(g => string.Equals(g.RequestId, requestId, StringComparison.Ordinal));
                var answered = new Grant(answeredAt, requestId, Answered: true);
                _grants[index] = answered;
                _byRequest[requestId] = answered;
                _grants.Sort((a, b) => a.At.CompareTo(b.At));
                _oldest = _grants[0].At;
                Prune();
                return (held.At, snapshot ? [.. _grants] : null);
            }
        }

        public IReadOnlyList<Grant>? Remove(string requestId, bool snapshot)
        {
            lock (_lock)
            {
                if (_byRequest.Remove(requestId))
                {
                    _kept.Remove(requestId);
                    _grants.RemoveAll(g => string.Equals(g.RequestId, requestId, StringComparison.Ordinal));
                    _oldest = Oldest();
                }

                Prune();
                return snapshot ? [.. _grants] : null;
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
                _grants.AddRange(added);
                added.ForEach(g =>
                {
                    _byRequest[g.RequestId] = g;
                    _kept.Add(g.RequestId);
                });
                _grants.Sort((a, b) => a.At.CompareTo(b.At));
                _oldest = Oldest();
                Prune();
                Limiter.Restore(added.Select(g => g.At));
            }
        }

        public IReadOnlyList<Grant> Recent()
        {
            lock (_lock)
            {
                Prune();
                return [.. _grants];
            }
        }

        // Only when the oldest grant has left the window is there anything to drop.
        private void Prune()
        {
            var horizon = time.GetUtcNow() - window;
            if (_oldest > horizon)
            {
                return;
            }

            foreach (var gone in _grants.Where(g => g.At <= horizon))
            {
                _byRequest.Remove(gone.RequestId);
                _kept.Remove(gone.RequestId);
            }

            _grants.RemoveAll(g => g.At <= horizon);
            _oldest = Oldest();
        }

        private DateTimeOffset Oldest()
        {
            var oldest = DateTimeOffset.MaxValue;
            foreach (var grant in _grants)
            {
                oldest = grant.At < oldest ? grant.At : oldest;
            }

            return oldest;
        }
    }
}
