namespace InviteStream.Engagement;

/// <summary>The engagement API invites are dispatched to.</summary>
public enum EngagementApi
{
    /// <summary>The guide's <c>POST .../campaigns/{campaignId}/trigger</c>.</summary>
    Guide,

    /// <summary>Genesys Cloud journey segment assignment, which fires a segment-triggered action map.</summary>
    JourneySegments,
}
