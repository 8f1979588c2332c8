using System.Text.Json;

namespace InviteStream.Simulator;

/// <summary>
/// A trigger request as it arrived, whatever the simulator answered, and when it arrived: the ledger
/// a sliding-window check of campaign caps reads.
/// </summary>
public sealed record ReceivedTrigger(string CampaignId, JsonElement Body, int StatusCode, string? Status, DateTimeOffset ReceivedAt);
