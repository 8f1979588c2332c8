namespace InviteStream.Core.Campaigns;

/// <summary>The campaigns the worker runs with, loaded and validated at start.</summary>
public sealed class CampaignSet(IReadOnlyList<Campaign> campaigns)
{
    public IReadOnlyList<Campaign> Campaigns { get; } = campaigns ?? throw new ArgumentNullException(nameof(campaigns));

    /// <summary>How long any invite can still matter: the longest cooldown of any campaign.</summary>
    public TimeSpan LongestCooldown { get; } = campaigns.Count == 0
        ? TimeSpan.FromSeconds(1)
        : campaigns.Max(c => c.Throttling.Cooldown);
}
