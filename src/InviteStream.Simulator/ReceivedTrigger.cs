using System.Text.Json;

namespace InviteStream.Simulator;

/// <summary>A trigger request as it arrived, whatever the simulator answered.</summary>
public sealed record ReceivedTrigger(string CampaignId, JsonElement Body, int StatusCode, string? Status);
