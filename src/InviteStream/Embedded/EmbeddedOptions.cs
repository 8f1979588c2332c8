namespace InviteStream.Embedded;

/// <summary>Whether development stand-ins may start (section <c>Embedded</c>).</summary>
public sealed class EmbeddedOptions
{
    public const string SectionName = "Embedded";

    /// <summary>Start the embedded broker / simulator for an empty <c>Kafka:BootstrapServers</c> / <c>Engagement:BaseUrl</c>; off (containers, production), those are required.</summary>
    public bool Enabled { get; set; } = true;
}
