using Confluent.Kafka;
using Confluent.Kafka.Admin;
using InviteStream.Kafka.Publishing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// Refuses to start unless the topics fit: the changelog and outcome topics need the input's
/// partition count (state and outcomes of input partition p live in partition p); with re-keyed
/// inputs, "the input" is the repartition topic. A missing changelog (compacted) or repartition
/// topic is created where the cluster allows it.
/// </summary>
internal sealed partial class TopicLayoutCheck(IOptions<KafkaOptions> options, TopicLayout layout, ILogger<TopicLayoutCheck> logger) : IHostedService
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var kafka = options.Value;
        using var admin = new AdminClientBuilder(KafkaClientConfig.Admin(kafka)).Build();
        foreach (var source in kafka.SourceTopics)
        {
            if (Partitions(admin, source) is null)
            {
                var setting = source == kafka.InputTopic ? "Kafka:InputTopic" : "Kafka:UnkeyedInputTopics";
                throw new TopicLayoutException($"Input topic '{source}' does not exist ({setting}).");
            }
        }

        var decisionTopic = kafka.DecisionTopic;
        if (kafka.Repartitions && Partitions(admin, decisionTopic) is null)
        {
            await CreateTopicAsync(admin, decisionTopic, Partitions(admin, kafka.InputTopic)!.Value, "Kafka:RepartitionTopic", compacted: false);
        }

        var input = Partitions(admin, decisionTopic)
            ?? throw new TopicLayoutException($"Repartition topic '{decisionTopic}' (Kafka:RepartitionTopic) does not exist.");
        if (Partitions(admin, kafka.EffectiveChangelogTopic) is null)
        {
            await CreateTopicAsync(admin, kafka.EffectiveChangelogTopic, input, "Kafka:ChangelogTopic", compacted: true);
        }

        foreach (var (setting, topic) in new[] { ("Kafka:ChangelogTopic", kafka.EffectiveChangelogTopic), ("Kafka:OutcomeTopic", kafka.OutcomeTopic) })
        {
            var count = Partitions(admin, topic)
                ?? throw new TopicLayoutException($"Topic '{topic}' ({setting}) does not exist; create it with {input} partitions.");
            if (count != input)
            {
                throw new TopicLayoutException(
                    $"Topic '{topic}' ({setting}) has {count} partitions but input topic '{decisionTopic}' has {input}; " +
                    "they must match so a contact's state and outcomes stay in the input's partition.");
            }
        }

        if (Partitions(admin, kafka.DeadLetterTopic) is null)
        {
            throw new TopicLayoutException($"Dead-letter topic '{kafka.DeadLetterTopic}' (Kafka:DeadLetterTopic) does not exist.");
        }

        layout.InputPartitions = input;
        LogTopicsChecked(decisionTopic, input);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static int? Partitions(IAdminClient admin, string topic)
    {
        var metadata = admin.GetMetadata(topic, Timeout).Topics.FirstOrDefault();
        return metadata is null || metadata.Error.IsError || metadata.Partitions.Count == 0 ? null : metadata.Partitions.Count;
    }

    private async Task CreateTopicAsync(IAdminClient admin, string topic, int partitions, string setting, bool compacted)
    {
        try
        {
            await admin.CreateTopicsAsync(
                [new TopicSpecification
                {
                    Name = topic,
                    NumPartitions = partitions,
                    ReplicationFactor = -1,
                    Configs = new Dictionary<string, string> { ["cleanup.policy"] = compacted ? "compact" : "delete" },
                }],
                new CreateTopicsOptions { RequestTimeout = Timeout, OperationTimeout = Timeout });
            LogTopicCreated(topic, partitions, compacted ? "compact" : "delete");
        }
        catch (CreateTopicsException ex) when (ex.Results.All(r => r.Error.Code == ErrorCode.TopicAlreadyExists))
        {
            // Another replica created it first.
        }
        catch (KafkaException ex)
        {
            throw new TopicLayoutException(
                $"Topic '{topic}' ({setting}) does not exist and could not be created ({ex.Error.Reason}); " +
                $"create it with {partitions} partitions{(compacted ? ", compacted" : "")}.", ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Topics checked: {InputTopic} has {Partitions} partitions, changelog and outcomes match")]
    private partial void LogTopicsChecked(string inputTopic, int partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created topic {Topic} with {Partitions} partitions (cleanup.policy={CleanupPolicy})")]
    private partial void LogTopicCreated(string topic, int partitions, string cleanupPolicy);
}
