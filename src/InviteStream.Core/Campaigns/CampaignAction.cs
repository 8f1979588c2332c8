namespace InviteStream.Core.Campaigns;

public sealed record CampaignAction(string Type, int Priority, RoutingConfig? RoutingConfig)
{
    public const string WebchatInvite = "webchat_invite";
}
