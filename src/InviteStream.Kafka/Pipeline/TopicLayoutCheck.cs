using Confluent.Kafka;
using Confluent.Kafka.Admin;
using InviteStream.Kafka.Clients;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// Refuses to start unless the topics of the <see cref="TopicPlan"/> fit: the outcome, repartition,
/// result and changelog topics need the input's partition count (everything of a contact lives in
/// its partition number), the grant changelog the trigger topic's. Missing internal topics are
/// created where the cluster allows it.
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

        var input = Partitions(admin, kafka.InputTopic)!.Value;
        int? triggers = null;
        foreach (var topic in TopicPlan.For(kafka, input).Where(t => t.Role != TopicRole.Input))
        {
            if (topic.CreatedByWorker && Partitions(admin, topic.Name) is null)
            {
                await CreateTopicAsync(admin, topic.Name, topic.Partitions, topic.Setting, topic.Compacted);
            }

            var count = Partitions(admin, topic.Name)
                ?? throw new TopicLayoutException($"Topic '{topic.Name}' ({topic.Setting}) does not exist; create it with {topic.Partitions} partitions.");

            // The trigger topic may have any partition count; its grant changelog must have the same.
            triggers ??= topic.Name == kafka.EffectiveTriggerTopic ? count : null;
            var expected = topic.Name == kafka.EffectiveGrantTopic ? triggers ?? topic.Partitions
                : topic.Role is TopicRole.Output || topic.Name == kafka.EffectiveTriggerTopic ? count
                : input;
            if (count != expected)
            {
                var of = topic.Name == kafka.EffectiveGrantTopic ? $"trigger topic '{kafka.EffectiveTriggerTopic}'" : $"input topic '{kafka.InputTopic}'";
                throw new TopicLayoutException(
                    $"Topic '{topic.Name}' ({topic.Setting}) has {count} partitions but {of} has {expected}; " +
                    "they must match so a contact's events, state and outcomes (and a campaign's triggers and grants) stay in one partition number.");
            }
        }

        layout.InputPartitions = input;
        layout.TriggerPartitions = triggers!.Value;
        LogTopicsChecked(kafka.InputTopic, input);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Topics checked: {InputTopic} has {Partitions} partitions; outcomes (in each contact's input partition), repartition, results and state match it")]
    private partial void LogTopicsChecked(string inputTopic, int partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created topic {Topic} with {Partitions} partitions (cleanup.policy={CleanupPolicy})")]
    private partial void LogTopicCreated(string topic, int partitions, string cleanupPolicy);
}
