namespace InviteStream.Operations;

/// <summary>Which probe a health check belongs to: <c>/healthz</c> runs the <see cref="Live"/> ones, <c>/readyz</c> the <see cref="Ready"/> ones.</summary>
internal static class HealthTags
{
    public const string Live = "live";

    public const string Ready = "ready";
}
