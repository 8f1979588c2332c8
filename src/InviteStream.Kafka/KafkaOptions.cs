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
    /// Further input topics whose records are not keyed by contactId (any partition count): every
    /// record of them is re-keyed through <see cref="RepartitionTopic"/>. Records of the input topic
    /// are re-keyed one by one, when their key is not their contactId or they are not in the
    /// contact's home partition (<see cref="KeyPartitioner"/>).
    /// </summary>
    public IList<string> UnkeyedInputTopics { get; } = [];

    /// <summary>
    /// The partitioner the input's producers use for keys, which decides each contact's home
    /// partition: <c>Murmur2</c> (Kafka's Java default; librdkafka's <c>murmur2_random</c>) or
    /// <c>Crc32</c> (librdkafka's default <c>consistent_random</c>).
    /// </summary>
    public KeyPartitioner KeyPartitioner { get; set; } = KeyPartitioner.Murmur2;

    /// <summary>Internal topic re-keyed records go through, with the input's partition count. Empty: <c>{GroupId}.repartition</c>.</summary>
    public string? RepartitionTopic { get; set; }

    public string EffectiveRepartitionTopic => string.IsNullOrWhiteSpace(RepartitionTopic) ? $"{GroupId}.repartition" : RepartitionTopic;

    /// <summary>The consumer group that keeps the repartition topic's offsets; it has no members (its partitions follow the worker's group).</summary>
    public string FollowerGroupId => $"{GroupId}.rekeyed";

    /// <summary>Every topic the worker's group reads: the input topic and the unkeyed ones.</summary>
    public IReadOnlyList<string> SourceTopics => [.. new[] { InputTopic }.Concat(UnkeyedInputTopics).Distinct(StringComparer.Ordinal)];

    /// <summary>Compacted changelog of contact state, co-partitioned with the input. Empty: <c>{GroupId}.contact-state</c>.</summary>
    public string? ChangelogTopic { get; set; }

    public string EffectiveChangelogTopic => string.IsNullOrWhiteSpace(ChangelogTopic) ? $"{GroupId}.contact-state" : ChangelogTopic;

    /// <summary>Internal topic of invite triggers, keyed by campaign id, read by the dispatch stage. Empty: <c>{GroupId}.triggers</c>.</summary>
    public string? TriggerTopic { get; set; }

    public string EffectiveTriggerTopic => string.IsNullOrWhiteSpace(TriggerTopic) ? $"{GroupId}.triggers" : TriggerTopic;

    /// <summary>Partitions of the trigger topic (and of the grant changelog) when the worker creates them. Empty: the input's partition count.</summary>
    [Range(1, 10_000)]
    public int? TriggerPartitions { get; set; }

    /// <summary>Internal topic of dispatch results, keyed by contactId, co-partitioned with the input. Empty: <c>{GroupId}.results</c>.</summary>
    public string? ResultTopic { get; set; }

    public string EffectiveResultTopic => string.IsNullOrWhiteSpace(ResultTopic) ? $"{GroupId}.results" : ResultTopic;

    /// <summary>Compacted changelog of the campaign and API limiters' recent grants, co-partitioned with the trigger topic. Empty: <c>{GroupId}.grants</c>.</summary>
    public string? GrantTopic { get; set; }

    public string EffectiveGrantTopic => string.IsNullOrWhiteSpace(GrantTopic) ? $"{GroupId}.grants" : GrantTopic;

    /// <summary>
    /// Compacted topic of per-campaign counts per minute of event time (<c>schemas/invite-stats.avsc</c>),
    /// key <c>&lt;campaignId&gt;@&lt;minute&gt;</c>, with the input's partition count; created when missing.
    /// Empty: no statistics are kept.
    /// </summary>
    public string StatsTopic { get; set; } = "invite-stats";

    public bool PublishesStats => NamesStatsTopic(StatsTopic);

    /// <summary>Whether a <c>Kafka:StatsTopic</c> value names a topic (empty turns the statistics off).</summary>
    public static bool NamesStatsTopic(string? statsTopic) => !string.IsNullOrWhiteSpace(statsTopic);

    /// <summary>Internal topic of each replica's partial counts, merged into <see cref="StatsTopic"/> by the stats stage. Empty: <c>{GroupId}.stats-partials</c>.</summary>
    public string? StatsPartialTopic { get; set; }

    public string EffectiveStatsPartialTopic => string.IsNullOrWhiteSpace(StatsPartialTopic) ? $"{GroupId}.stats-partials" : StatsPartialTopic;

    /// <summary>The consumer group of the stats stage, which reads the partial counts.</summary>
    public string StatsGroupId => $"{GroupId}.stats";

    /// <summary>The consumer group of the dispatch stage, which reads the trigger topic.</summary>
    public string DispatchGroupId => $"{GroupId}.dispatch";

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
    /// <c>Kafka__Client__security.protocol=SASL_SSL</c>, <c>sasl.mechanism</c>, <c>ssl.ca.location</c>;
    /// never those the guarantees rely on (<see cref="ProtectedClientProperties"/>).
    /// </summary>
    public IDictionary<string, string> Client { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
