using Confluent.Kafka;

namespace InviteStream.Kafka.Clients;

/// <summary>
/// The librdkafka configuration of every client the worker creates, in one place: the user's
/// <c>Kafka:Client:*</c> pass-through settings first, then what the guarantees rely on.
/// </summary>
internal static class KafkaClientConfig
{
    /// <summary>
    /// A producer of the worker: idempotent; transactional when <see cref="KafkaOptions.Transactional"/>
    /// is set and the role takes part in transactions (grants never do: a grant must be durable before
    /// the invite it allows is sent, whatever becomes of the transaction).
    /// </summary>
    public static ProducerConfig Publisher(KafkaOptions options, PublisherRole role)
    {
        var config = With(options, new ProducerConfig { LingerMs = 5 });
        config.BootstrapServers = options.BootstrapServers;
        config.ClientId ??= $"invitestream-{role.ToString().ToLowerInvariant()}";
        config.Acks = Acks.All;
        config.EnableIdempotence = true;

        // Nothing reads a delivery report but its error: copying each record's key, value and
        // headers back into it cost the client's poll thread more than producing them.
        config.DeliveryReportFields ??= "none";
        if (options.Transactional && role is PublisherRole.Contacts or PublisherRole.Dispatch)
        {
            // Each stage commits its own records with its own offsets: one transactional id each.
            config.TransactionalId = role == PublisherRole.Contacts ? options.EffectiveTransactionalId : $"{options.EffectiveTransactionalId}-{role.ToString().ToLowerInvariant()}";

            // A crashed replica's open transaction blocks read_committed readers until it times out.
            config.TransactionTimeoutMs ??= 10_000;
        }

        return config;
    }

    /// <summary>
    /// The classic protocol's session timeout unless <c>Kafka:Client:session.timeout.ms</c> says
    /// otherwise: the least a broker allows by default (<c>group.min.session.timeout.ms</c>).
    /// </summary>
    public const int ClassicSessionTimeoutMs = 6_000;

    /// <summary>
    /// How long a fetch may wait for data (librdkafka: 500 ms). A real broker answers as soon as data
    /// arrives, so this bounds only idle fetches, at the cost of a request per interval and broker;
    /// the embedded broker answers an empty fetch only at this bound, which would add it to every
    /// event's latency (and twice more to an invite's, which crosses the trigger and result topics).
    /// </summary>
    public const int FetchWaitMaxMs = 20;

    /// <summary>
    /// How long a partition's fetching pauses once the client's queue of fetched records is full
    /// (librdkafka: 1 000 ms): at the worker's rates that queue fills and drains within milliseconds,
    /// and a second's pause showed as stalls of up to 0.9 s on every partition.
    /// </summary>
    public const int FetchQueueBackoffMs = 10;

    /// <summary>
    /// How often a stage consumer commits its stored offsets (librdkafka: 5 000 ms). A contact's
    /// state record carries every outcome still remembered, and an outcome is forgotten only once
    /// its record is committed, so a contact with many events rewrote ever longer records between
    /// commits (800 events of one contact: 8.6 kB records at most at 100 ms, 32 kB at 1 s). An
    /// unchanged offset is not committed again.
    /// </summary>
    public const int AutoCommitIntervalMs = 100;

    /// <summary>The dispatch stage's consumer: its own group over the trigger topic.</summary>
    public static ConsumerConfig DispatchConsumer(KafkaOptions options) => InternalStageConsumer(options, options.DispatchGroupId, "dispatch", FetchWaitMaxMs);

    /// <summary>
    /// The stats stage's consumer: its own group over the partial-counts topic, with librdkafka's
    /// fetch wait — nothing waits for a total within a second, and an idle fetch every 20 ms per
    /// replica would cost the broker for nothing.
    /// </summary>
    public static ConsumerConfig StatsConsumer(KafkaOptions options) => InternalStageConsumer(options, options.StatsGroupId, "stats", fetchWaitMaxMs: null);

    // A stage reading an internal topic: the worker's group settings under a group (and static member id) of its own.
    private static ConsumerConfig InternalStageConsumer(KafkaOptions options, string groupId, string stage, int? fetchWaitMaxMs)
    {
        var config = GroupConsumer(options, fetchWaitMaxMs);
        config.GroupId = groupId;
        config.ClientId = config.ClientId == "invitestream-worker" ? $"invitestream-{stage}" : config.ClientId;
        config.GroupInstanceId = string.IsNullOrEmpty(options.GroupInstanceId) ? null : $"{options.GroupInstanceId}-{stage}";
        return config;
    }

    /// <summary>The decision stage's consumer: the worker's group, offsets stored only once an event is done.</summary>
    public static ConsumerConfig GroupConsumer(KafkaOptions options) => GroupConsumer(options, FetchWaitMaxMs);

    private static ConsumerConfig GroupConsumer(KafkaOptions options, int? fetchWaitMaxMs)
    {
        var config = Consumer(options, "invitestream-worker", options.GroupId, fetchWaitMaxMs);
        config.GroupProtocol = options.GroupProtocol;
        config.GroupInstanceId = string.IsNullOrEmpty(options.GroupInstanceId) ? null : options.GroupInstanceId;
        if (options.GroupProtocol == GroupProtocol.Classic)
        {
            config.PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky;

            // A member that crashed (SIGKILL, OOM) holds its partitions until this times out; librdkafka's
            // 45 s would leave them unread that long. Heartbeats come from librdkafka's own thread,
            // so a busy or collecting .NET process does not miss them.
            config.SessionTimeoutMs ??= ClassicSessionTimeoutMs;
            config.HeartbeatIntervalMs ??= ClassicSessionTimeoutMs / 6;
        }

        return config;
    }

    /// <summary>
    /// The consumer of the re-keyed records: partitions are assigned by the worker, following the
    /// group's assignment of the input, and their offsets kept in a group of their own that has no members.
    /// </summary>
    public static ConsumerConfig FollowerConsumer(KafkaOptions options)
    {
        return Consumer(options, "invitestream-rekeyed", options.FollowerGroupId, FetchWaitMaxMs);
    }

    public static AdminClientConfig Admin(KafkaOptions options)
    {
        var config = With(options, new AdminClientConfig());
        config.BootstrapServers = options.BootstrapServers;
        config.ClientId ??= "invitestream-admin";
        return config;
    }

    /// <summary>A group-less reader for restoring state from the changelog.</summary>
    public static ConsumerConfig Restore(KafkaOptions options) =>
        AssignedReader(options, new ConsumerConfig { FetchWaitMaxMs = 10, FetchQueueBackoffMs = FetchQueueBackoffMs }, "invitestream-restore", $"{options.GroupId}.restore");

    /// <summary>
    /// A reader of a topic range for a replay: reads by assignment under a throwaway group id the
    /// client requires but never joins or commits to, read committed, told where each partition ends.
    /// </summary>
    public static ConsumerConfig RangeReader(KafkaOptions options) =>
        AssignedReader(options, new ConsumerConfig { FetchWaitMaxMs = 10, FetchQueueBackoffMs = FetchQueueBackoffMs }, "invitestream-replay", $"invitestream-replay-{Guid.NewGuid():N}");

    // A reader by assignment that commits nothing, reads committed records only and is told where
    // each partition ends: a transactional topic ends in a commit marker no reader sees.
    private static ConsumerConfig AssignedReader(KafkaOptions options, ConsumerConfig defaults, string clientId, string groupId)
    {
        var config = With(options, defaults);
        config.BootstrapServers = options.BootstrapServers;
        config.ClientId ??= clientId;
        config.GroupId = groupId;
        config.EnableAutoCommit = false;
        config.EnableAutoOffsetStore = false;
        config.EnablePartitionEof = true;
        config.IsolationLevel = IsolationLevel.ReadCommitted;
        return config;
    }

    // fetchWaitMaxMs: the default unless the user set one; null keeps librdkafka's.
    private static ConsumerConfig Consumer(KafkaOptions options, string clientId, string groupId, int? fetchWaitMaxMs)
    {
        var config = With(options, new ConsumerConfig { AutoOffsetReset = AutoOffsetReset.Earliest, AutoCommitIntervalMs = AutoCommitIntervalMs });
        config.FetchWaitMaxMs ??= fetchWaitMaxMs;
        config.FetchQueueBackoffMs ??= FetchQueueBackoffMs;
        config.BootstrapServers = options.BootstrapServers;
        config.ClientId ??= clientId;
        config.GroupId = groupId;
        // Offsets are stored only once an event's outcome is acknowledged (see PartitionOffsets);
        // auto-commit then commits what was stored. Transactional mode commits them in the transaction.
        config.EnableAutoCommit = !options.Transactional;
        config.EnableAutoOffsetStore = false;
        config.EnablePartitionEof = false;
        config.IsolationLevel = IsolationLevel.ReadCommitted;
        config.AllowAutoCreateTopics = false;
        return config;
    }

    // The user's pass-through settings go in first, so nothing below can be overridden by them
    // (start-up refuses the keys the guarantees rely on, see KafkaOptions). The .NET client's own
    // `dotnet.producer.*` and `dotnet.consumer.*` keys go only to their kind of client: the others
    // pass them on to librdkafka, which refuses them (the admin client refuses both).
    private static T With<T>(KafkaOptions options, T config)
        where T : ClientConfig
    {
        var ownPrefix = config switch
        {
            ProducerConfig => ProducerOnlyPrefix,
            ConsumerConfig => ConsumerOnlyPrefix,
            _ => null,
        };
        foreach (var (key, value) in options.Client)
        {
            var forOneKind = key.StartsWith(ProducerOnlyPrefix, StringComparison.Ordinal) || key.StartsWith(ConsumerOnlyPrefix, StringComparison.Ordinal);
            if (!string.IsNullOrEmpty(value) && (!forOneKind || (ownPrefix is not null && key.StartsWith(ownPrefix, StringComparison.Ordinal))))
            {
                config.Set(key, value);
            }
        }

        return config;
    }

    private const string ProducerOnlyPrefix = "dotnet.producer.";
    private const string ConsumerOnlyPrefix = "dotnet.consumer.";
}
