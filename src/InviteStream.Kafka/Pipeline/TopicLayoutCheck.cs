using Confluent.Kafka;
using Confluent.Kafka.Admin;
using InviteStream.Kafka.Publishing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// Refuses to start unless the topics fit: the changelog and outcome topics need the input's
/// partition count (state and outcomes of input partition p live in partition p). A missing
/// changelog is created, compacted, where the cluster allows it.
/// </summary>
internal sealed partial class TopicLayoutCheck(IOptions<KafkaOptions> options, TopicLayout layout, ILogger<TopicLayoutCheck> logger) : IHostedService
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var kafka = options.Value;
        using var admin = new AdminClientBuilder(KafkaClientConfig.Admin(kafka)).Build();
        var input = Partitions(admin, kafka.InputTopic)
            ?? throw new TopicLayoutException($"Input topic '{kafka.InputTopic}' does not exist (Kafka:InputTopic).");

        if (Partitions(admin, kafka.EffectiveChangelogTopic) is null)
        {
            await CreateChangelogAsync(admin, kafka.EffectiveChangelogTopic, input);
        }

        foreach (var (setting, topic) in new[] { ("Kafka:ChangelogTopic", kafka.EffectiveChangelogTopic), ("Kafka:OutcomeTopic", kafka.OutcomeTopic) })
        {
            var count = Partitions(admin, topic)
                ?? throw new TopicLayoutException($"Topic '{topic}' ({setting}) does not exist; create it with {input} partitions.");
            if (count != input)
            {
                throw new TopicLayoutException(
                    $"Topic '{topic}' ({setting}) has {count} partitions but input topic '{kafka.InputTopic}' has {input}; " +
                    "they must match so a contact's state and outcomes stay in the input's partition.");
            }
        }

        if (Partitions(admin, kafka.DeadLetterTopic) is null)
        {
            throw new TopicLayoutException($"Dead-letter topic '{kafka.DeadLetterTopic}' (Kafka:DeadLetterTopic) does not exist.");
        }

        layout.InputPartitions = input;
        LogTopicsChecked(kafka.InputTopic, input);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static int? Partitions(IAdminClient admin, string topic)
    {
        var metadata = admin.GetMetadata(topic, Timeout).Topics.FirstOrDefault();
        return metadata is null || metadata.Error.IsError || metadata.Partitions.Count == 0 ? null : metadata.Partitions.Count;
    }

    private async Task CreateChangelogAsync(IAdminClient admin, string topic, int partitions)
    {
        try
        {
            await admin.CreateTopicsAsync(
                [new TopicSpecification
                {
                    Name = topic,
                    NumPartitions = partitions,
                    ReplicationFactor = -1,
                    Configs = new Dictionary<string, string> { ["cleanup.policy"] = "compact" },
                }],
                new CreateTopicsOptions { RequestTimeout = Timeout, OperationTimeout = Timeout });
            LogChangelogCreated(topic, partitions);
        }
        catch (CreateTopicsException ex) when (ex.Results.All(r => r.Error.Code == ErrorCode.TopicAlreadyExists))
        {
            // Another replica created it first.
        }
        catch (KafkaException ex)
        {
            throw new TopicLayoutException(
                $"Changelog topic '{topic}' does not exist and could not be created ({ex.Error.Reason}); " +
                $"create it compacted with {partitions} partitions.", ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Topics checked: {InputTopic} has {Partitions} partitions, changelog and outcomes match")]
    private partial void LogTopicsChecked(string inputTopic, int partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created compacted changelog topic {Topic} with {Partitions} partitions")]
    private partial void LogChangelogCreated(string topic, int partitions);
}
