namespace InviteStream.Simulator;

/// <summary>The engine's answer to a trigger: <c>delivered</c>, <c>suppressed</c> (with expiry) or <c>not_eligible</c>.</summary>
public sealed record TriggerAnswer(string Status, DateTimeOffset? ExpiresAt)
{
    public static TriggerAnswer Delivered { get; } = new("delivered", null);

    public static TriggerAnswer NotEligible { get; } = new("not_eligible", null);

    public static TriggerAnswer Suppressed(DateTimeOffset expiresAt) => new("suppressed", expiresAt);
}
