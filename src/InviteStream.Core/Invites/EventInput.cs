using InviteStream.Core.Events;

namespace InviteStream.Core.Invites;

/// <summary>One event handed to the <see cref="InviteFlow"/>.</summary>
/// <param name="OnlyCampaigns">When set, only these campaign ids are considered (the producer named them).</param>
/// <param name="ReceivedAt">A <see cref="TimeProvider.GetTimestamp"/> of when the event was received, for the decision latency.</param>
/// <param name="ReadFrom">Where this copy of the event was read (a re-keyed copy is not its origin); null: its origin.</param>
public readonly record struct EventInput(
    BehavioralEvent Event, EventOrigin Origin, IReadOnlyCollection<string>? OnlyCampaigns, long ReceivedAt, EventOrigin? ReadFrom = null)
{
    /// <summary>The record the event was read from: what must be committed before its outcome may be forgotten.</summary>
    public EventOrigin Position => ReadFrom ?? Origin;
}
