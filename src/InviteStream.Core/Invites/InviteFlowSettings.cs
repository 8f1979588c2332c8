namespace InviteStream.Core.Invites;

/// <summary>The switches of the <see cref="InviteFlow"/>.</summary>
/// <param name="MaxInviteDelay">An invite is worth sending until event time + this (its intent deadline).</param>
/// <param name="EmitNotEligible">Publish a <c>not_eligible</c> outcome with per-filter reasons for events that matched no campaign.</param>
/// <param name="PassThroughAttributes">Event attributes sent in <c>sessionData</c> besides those the campaign's filters reference.</param>
public sealed record InviteFlowSettings(TimeSpan MaxInviteDelay, bool EmitNotEligible, IReadOnlyList<string> PassThroughAttributes)
{
    public static InviteFlowSettings Default { get; } = new(TimeSpan.FromSeconds(10), false, ["browser.locale", "referrer.page"]);
}
