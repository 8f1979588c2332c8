namespace InviteStream.Kafka.Publishing;

/// <summary>The keys the stages' own producers are registered under.</summary>
internal static class PublisherKeys
{
    public const string Dispatch = "dispatch";
    public const string Grants = "grants";
    public const string Stats = "stats";
}
