namespace InviteStream.Kafka;

/// <summary>
/// Every topic the worker uses, with the partition count it needs: the one place that knows the
/// topology, for the start-up check, the embedded broker and <c>dev-stack</c>.
/// </summary>
public static class TopicPlan
{
    /// <summary>The topics of a worker with <paramref name="options"/> whose input has <paramref name="inputPartitions"/> partitions.</summary>
    public static IReadOnlyList<PlannedTopic> For(KafkaOptions options, int inputPartitions)
    {
        ArgumentNullException.ThrowIfNull(options);
        var triggerPartitions = options.TriggerPartitions ?? inputPartitions;
        IReadOnlyList<PlannedTopic> stats = options.PublishesStats
            ?
            [
                new(options.EffectiveStatsPartialTopic, "Kafka:StatsPartialTopic", inputPartitions, TopicRole.Internal),
                new(options.StatsTopic, "Kafka:StatsTopic", inputPartitions, TopicRole.InternalCompacted),
            ]
            : [];
        return
        [
            new(options.InputTopic, "Kafka:InputTopic", inputPartitions, TopicRole.Input),
            new(options.OutcomeTopic, "Kafka:OutcomeTopic", inputPartitions, TopicRole.CoPartitioned),
            new(options.DeadLetterTopic, "Kafka:DeadLetterTopic", inputPartitions, TopicRole.Output),
            new(options.EffectiveRepartitionTopic, "Kafka:RepartitionTopic", inputPartitions, TopicRole.Internal),
            new(options.EffectiveChangelogTopic, "Kafka:ChangelogTopic", inputPartitions, TopicRole.InternalCompacted),
            new(options.EffectiveResultTopic, "Kafka:ResultTopic", inputPartitions, TopicRole.Internal),
            new(options.EffectiveTriggerTopic, "Kafka:TriggerTopic", triggerPartitions, TopicRole.Internal),
            new(options.EffectiveGrantTopic, "Kafka:GrantTopic", triggerPartitions, TopicRole.InternalCompacted),
            .. stats,
        ];
    }
}

/// <summary>A topic the worker uses: its name, the setting that names it, the partitions it needs, and what it is.</summary>
public sealed record PlannedTopic(string Name, string Setting, int Partitions, TopicRole Role)
{
    /// <summary>Whether the worker creates the topic when it is missing (where the cluster allows it).</summary>
    public bool CreatedByWorker => Role is TopicRole.Internal or TopicRole.InternalCompacted;

    public bool Compacted => Role == TopicRole.InternalCompacted;
}

public enum TopicRole
{
    /// <summary>Read from producers the worker does not own.</summary>
    Input,

    /// <summary>Written by the worker; its partition count must be the input's (a contact stays in one partition number).</summary>
    CoPartitioned,

    /// <summary>Written by the worker; any partition count.</summary>
    Output,

    /// <summary>The worker's own, created when missing.</summary>
    Internal,

    /// <summary>The worker's own changelog, created compacted when missing.</summary>
    InternalCompacted,
}
