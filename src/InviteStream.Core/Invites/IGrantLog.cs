namespace InviteStream.Core.Invites;

/// <summary>
/// Where a campaign's recent permit grants are recorded, so the next owner of the campaign's
/// budget (after a restart or a rebalance) starts from them instead of from a full budget.
/// </summary>
public interface IGrantLog
{
    /// <summary>
    /// Completes once the grants of <paramref name="campaignId"/> still inside its window are durable,
    /// as <paramref name="readGrants"/> adds them (oldest first) to the empty list it is given when
    /// the write begins (after this call; writes asked for while one is under way go together in the
    /// next). The list is the log's: under a high cap the window holds thousands of grants, and a
    /// copy of them all per write was most of a write's garbage.
    /// </summary>
    Task RecordAsync(string campaignId, Action<List<Grant>> readGrants, CancellationToken cancellationToken);
}

/// <summary>
/// One permit to the invite with <see cref="RequestId"/>, counted from <see cref="At"/>: when it was
/// granted, or once <see cref="Answered"/>, when its request was answered (the engine received it
/// at the latest then, so the cap holds in every window of receive times).
/// </summary>
public readonly record struct Grant(DateTimeOffset At, string RequestId, bool Answered = false);
