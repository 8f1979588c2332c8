using InviteStream.Core.Events;

namespace InviteStream.Core.State;

/// <summary>An invite decided for a contact and handed to dispatch, whose result has not come back yet.</summary>
public sealed record PendingInvite(string RequestId, string CampaignId, DateTimeOffset DecidedAt)
{
    /// <summary>
    /// Whether the invite was decided from an event after <paramref name="origin"/> in the same source
    /// partition: an event there read again after a crash was decided before the invite was, and its
    /// answer cannot depend on what the invite comes to.
    /// </summary>
    public bool WasDecidedAfter(EventOrigin origin) =>
        EventOrigin.TryParseRequestId(RequestId, out var decidedFrom)
        && decidedFrom.Topic == origin.Topic
        && decidedFrom.Partition == origin.Partition
        && decidedFrom.Offset > origin.Offset;
}
