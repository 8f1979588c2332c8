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

    /// <summary>
    /// Input topics whose record key is not the contactId (the input topic itself, or further
    /// topics). When any is set, every input record is re-keyed by contactId through
    /// <see cref="RepartitionTopic"/>, and decisions are read from there, so one contact's events
    /// and state always meet on one partition.
    /// </summary>
    public IList<string> UnkeyedInputTopics { get; } = [];

    /// <summary>Internal topic re-keyed records go through. Empty: <c>{GroupId}.repartition</c>.</summary>
    public string? RepartitionTopic { get; set; }

    public string EffectiveRepartitionTopic => string.IsNullOrWhiteSpace(RepartitionTopic) ? $"{GroupId}.repartition" : RepartitionTopic;

    public bool Repartitions => UnkeyedInputTopics.Count > 0;

    /// <summary>Where decisions are read from: the repartition topic when inputs are re-keyed, else the input topic.</summary>
    public string DecisionTopic => Repartitions ? EffectiveRepartitionTopic : InputTopic;

    /// <summary>Every topic read from outside: the input topic and the unkeyed ones.</summary>
    public IReadOnlyList<string> SourceTopics => [.. new[] { InputTopic }.Concat(UnkeyedInputTopics).Distinct(StringComparer.Ordinal)];

    /// <summary>Compacted changelog of contact state, co-partitioned with the input. Empty: <c>{GroupId}.contact-state</c>.</summary>
    public string? ChangelogTopic { get; set; }

    public string EffectiveChangelogTopic => string.IsNullOrWhiteSpace(ChangelogTopic) ? $"{GroupId}.contact-state" : ChangelogTopic;

    /// <summary><c>Classic</c> (cooperative-sticky assignment) or <c>Consumer</c> (KIP-848).</summary>
    public Confluent.Kafka.GroupProtocol GroupProtocol { get; set; } = Confluent.Kafka.GroupProtocol.Classic;

    /// <summary>Optional static membership (<c>group.instance.id</c>).</summary>
    public string? GroupInstanceId { get; set; }

    /// <summary>
    /// Exactly-once between Kafka topics: outcomes, dead letters, state changelog records and the
    /// input offsets are committed together in one Kafka transaction (every
    /// <see cref="TransactionCommitInterval"/>), so a crash never leaves an outcome without its offset
    /// or the reverse. Readers of the outcome topic should use <c>isolation.level=read_committed</c>.
    /// </summary>
    public bool Transactional { get; set; }

    /// <summary>The producer's <c>transactional.id</c>. Empty: <c>{GroupId}-{GroupInstanceId}</c>, or <c>{GroupId}-{host}-{pid}</c> without static membership.
    /// Keep it stable per replica so a restarted replica fences its predecessor's open transaction at once.</summary>
    public string? TransactionalId { get; set; }

    /// <summary>How often the open transaction is committed in transactional mode.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan TransactionCommitInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    public string EffectiveTransactionalId => !string.IsNullOrWhiteSpace(TransactionalId) ? TransactionalId
        : !string.IsNullOrWhiteSpace(GroupInstanceId) ? $"{GroupId}-{GroupInstanceId}"
        : $"{GroupId}-{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>
    /// Extra librdkafka properties passed to every client as they are, e.g.
    /// <c>Kafka__Client__security.protocol=SASL_SSL</c>, <c>sasl.mechanism</c>, <c>ssl.ca.location</c>.
    /// </summary>
    public IDictionary<string, string> Client { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
