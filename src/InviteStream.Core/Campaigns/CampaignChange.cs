namespace InviteStream.Core.Campaigns;

/// <summary>What syncing one campaign to the engagement API would do.</summary>
public enum CampaignChangeKind
{
    Create,
    Update,
    Unchanged,

    /// <summary>Defined at the API but not in the files; sync leaves it as it is.</summary>
    RemoteOnly,
}

public sealed record CampaignChange(string CampaignId, CampaignChangeKind Kind);
