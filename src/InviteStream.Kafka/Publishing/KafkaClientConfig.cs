using Confluent.Kafka;

namespace InviteStream.Kafka.Publishing;

/// <summary>Builds librdkafka configurations from <see cref="KafkaOptions"/>, pass-through settings included.</summary>
internal static class KafkaClientConfig
{
    public static ProducerConfig Producer(KafkaOptions options, string clientId) => With(
        options,
        new ProducerConfig
        {
            BootstrapServers = options.BootstrapServers,
            ClientId = clientId,
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 5,
        });

    /// <summary>The publisher's producer: transactional when <see cref="KafkaOptions.Transactional"/> is set.</summary>
    public static ProducerConfig Publisher(KafkaOptions options)
    {
        var config = Producer(options, "invitestream-publisher");
        if (options.Transactional)
        {
            config.TransactionalId = options.EffectiveTransactionalId;
            // A crashed replica's open transaction blocks read_committed readers until it times out.
            config.TransactionTimeoutMs ??= 10_000;
        }

        return config;
    }

    /// <summary>The re-keying stage's producer: Kafka's default (Java) key partitioner, so any client finds a contact's partition.</summary>
    public static ProducerConfig Repartitioner(KafkaOptions options)
    {
        var config = Producer(options, "invitestream-repartitioner");
        config.Partitioner ??= Partitioner.Murmur2Random;
        return config;
    }

    /// <summary>The re-keying stage reads the source topics in a group of its own, at least once.</summary>
    public static ConsumerConfig RepartitionerConsumer(KafkaOptions options)
    {
        var config = Consumer(options, "invitestream-repartitioner");
        config.GroupId = $"{options.GroupId}.repartition";
        config.EnableAutoCommit = true;
        return config;
    }

    public static AdminClientConfig Admin(KafkaOptions options) => With(
        options,
        new AdminClientConfig { BootstrapServers = options.BootstrapServers, ClientId = "invitestream-admin" });

    /// <summary>A group-less reader for restoring state from the changelog.</summary>
    public static ConsumerConfig Restore(KafkaOptions options) => With(
        options,
        new ConsumerConfig
        {
            BootstrapServers = options.BootstrapServers,
            ClientId = "invitestream-restore",
            GroupId = $"{options.GroupId}.restore",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            FetchWaitMaxMs = 10,
            // The end is where EOF says it is: a transactional changelog ends in a commit marker no reader sees.
            EnablePartitionEof = true,
            IsolationLevel = IsolationLevel.ReadCommitted,
        });

    public static ConsumerConfig Consumer(KafkaOptions options, string clientId)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = options.BootstrapServers,
            ClientId = clientId,
            GroupId = options.GroupId,
            GroupProtocol = options.GroupProtocol,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            // Offsets are stored only once an event's outcome is acknowledged (see PartitionOffsets);
            // auto-commit then commits what was stored. Transactional mode commits them in the transaction.
            EnableAutoCommit = !options.Transactional,
            EnableAutoOffsetStore = false,
            AutoCommitIntervalMs = 1000,
            AllowAutoCreateTopics = false,
            GroupInstanceId = string.IsNullOrEmpty(options.GroupInstanceId) ? null : options.GroupInstanceId,
        };
        if (options.GroupProtocol == GroupProtocol.Classic)
        {
            config.PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky;
        }

        return With(options, config);
    }

    private static T With<T>(KafkaOptions options, T config)
        where T : ClientConfig
    {
        foreach (var (key, value) in options.Client)
        {
            if (!string.IsNullOrEmpty(value))
            {
                config.Set(key, value);
            }
        }

        return config;
    }
}
