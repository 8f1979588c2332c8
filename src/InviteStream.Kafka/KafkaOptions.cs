using System.ComponentModel.DataAnnotations;

namespace InviteStream.Kafka;

/// <summary>Kafka connection and topic settings (section <c>Kafka</c>).</summary>
public sealed class KafkaOptions
{
    public const string SectionName = "Kafka";

    /// <summary>Comma-separated host:port list. Empty: the host starts the embedded broker (development only).</summary>
    public string BootstrapServers { get; set; } = "";

    [Required]
    public string GroupId { get; set; } = "invitestream";

    [Required]
    public string InputTopic { get; set; } = "behavioral-events";

    [Required]
    public string OutcomeTopic { get; set; } = "invite-outcomes";

    [Required]
    public string DeadLetterTopic { get; set; } = "behavioral-events.dlq";

    /// <summary>Compacted changelog of contact state, co-partitioned with the input. Empty: <c>{GroupId}.contact-state</c>.</summary>
    public string? ChangelogTopic { get; set; }

    public string EffectiveChangelogTopic => string.IsNullOrWhiteSpace(ChangelogTopic) ? $"{GroupId}.contact-state" : ChangelogTopic;

    /// <summary><c>Classic</c> (cooperative-sticky assignment) or <c>Consumer</c> (KIP-848).</summary>
    public Confluent.Kafka.GroupProtocol GroupProtocol { get; set; } = Confluent.Kafka.GroupProtocol.Classic;

    /// <summary>Optional static membership (<c>group.instance.id</c>).</summary>
    public string? GroupInstanceId { get; set; }

    /// <summary>
    /// Extra librdkafka properties passed to every client as they are, e.g.
    /// <c>Kafka__Client__security.protocol=SASL_SSL</c>, <c>sasl.mechanism</c>, <c>ssl.ca.location</c>.
    /// </summary>
    public IDictionary<string, string> Client { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
