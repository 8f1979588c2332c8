namespace InviteStream.Core.Replay;

/// <summary>The switches of a <see cref="ReplaySession"/>: the live worker's, plus how late input may be.</summary>
/// <param name="MaxInviteDelay">An invite waits in event time for a permit until its event's time + this, else <c>throttled</c>.</param>
/// <param name="CampaignWindow">The rolling window of <c>maxInvitesPerMinute</c> (a minute, as live).</param>
/// <param name="MaxLateness">How far behind the newest event seen an event may arrive and still be decided in order.</param>
public sealed record ReplaySettings(
    TimeSpan MaxInviteDelay,
    TimeSpan CampaignWindow,
    TimeSpan MaxLateness,
    bool ConsolidatedSuppression = true,
    bool EmitNotEligible = false,
    IReadOnlyList<string>? PassThroughAttributes = null)
{
    public static ReplaySettings Default { get; } = new(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1), TimeSpan.FromHours(1));

    public IReadOnlyList<string> PassThroughAttributes { get; init; } = PassThroughAttributes ?? ["browser.locale", "referrer.page"];
}
