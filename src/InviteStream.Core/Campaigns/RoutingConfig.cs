namespace InviteStream.Core.Campaigns;

public sealed record RoutingConfig(
    string? QueueId,
    IReadOnlyList<string> SkillGroups,
    string? WrapUpCode,
    int? PriorityLevel,
    string? OverflowQueueId);
