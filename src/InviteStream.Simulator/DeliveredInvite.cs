using System.Text.Json;

namespace InviteStream.Simulator;

/// <summary>One invite the simulator delivered: the ledger tests assert against.</summary>
public sealed record DeliveredInvite(
    string CampaignId,
    string ContactId,
    string ChannelId,
    string? RequestId,
    string? CorrelationId,
    DateTimeOffset DeliveredAt,
    JsonElement SessionData);
