namespace InviteStream.Core.Invites;

/// <summary>The switches of the <see cref="InviteFlow"/>.</summary>
/// <param name="MaxInviteDelay">An invite is worth sending until event time + this (its intent deadline).</param>
/// <param name="EmitNotEligible">Publish a <c>not_eligible</c> outcome with per-filter reasons for events that matched no campaign.</param>
/// <param name="PassThroughAttributes">Event attributes sent in <c>sessionData</c> besides those the campaign's filters reference.</param>
/// <param name="MinTimeToSend">
/// A campaign permit goes only to an invite with at least this long left before its deadline: one
/// granted later would be cut off mid-request by its deadline, and a request that may have reached
/// the engine keeps its permit, so the window would lose a send. Zero when sending takes no time (a replay).
/// </param>
public sealed record InviteFlowSettings(TimeSpan MaxInviteDelay, bool EmitNotEligible, IReadOnlyList<string> PassThroughAttributes, TimeSpan MinTimeToSend = default);
