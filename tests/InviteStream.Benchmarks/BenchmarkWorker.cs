using InviteStream.Core.Campaigns;
using InviteStream.Kafka;
using InviteStream.Kafka.Embedded;
using InviteStream.Simulator;
using Microsoft.Extensions.Hosting;

namespace InviteStream.Benchmarks;

/// <summary>A worker host on the embedded cluster and the simulator, wired as <c>run</c> wires it, with its topics created.</summary>
internal static class BenchmarkWorker
{
    public static IHost Build(
        EmbeddedKafkaCluster cluster, SimulatorServer simulator, Campaign campaign, string name, int partitions, IDictionary<string, string?>? more = null) =>
        Build(cluster.BootstrapServers, (topic, count) => cluster.CreateTopic(topic, count), simulator.BaseUrl, campaign, name, partitions, more);

    /// <summary>A worker on the broker and simulator of a <see cref="BenchStack"/> (another process).</summary>
    public static IHost Build(BenchStack stack, string name, int partitions, IDictionary<string, string?>? more = null) =>
        Build(stack.BootstrapServers, stack.CreateTopic, stack.SimulatorUrl, BenchStack.Campaign, name, partitions, more);

    private static IHost Build(
        string bootstrapServers, Action<string, int> createTopic, Uri simulatorUrl, Campaign campaign, string name, int partitions, IDictionary<string, string?>? more)
    {
        var kafka = new KafkaOptions { GroupId = name, InputTopic = $"{name}-in", OutcomeTopic = $"{name}-out", DeadLetterTopic = $"{name}-dlq", StatsTopic = $"{name}-stats" };
        foreach (var topic in TopicPlan.For(kafka, partitions))
        {
            createTopic(topic.Name, topic.Partitions);
        }

        var settings = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Kafka:BootstrapServers"] = bootstrapServers,
            ["Kafka:GroupId"] = kafka.GroupId,
            ["Kafka:GroupProtocol"] = "Consumer",
            ["Kafka:InputTopic"] = kafka.InputTopic,
            ["Kafka:OutcomeTopic"] = kafka.OutcomeTopic,
            ["Kafka:DeadLetterTopic"] = kafka.DeadLetterTopic,
            ["Kafka:StatsTopic"] = kafka.StatsTopic,
            ["Engagement:BaseUrl"] = simulatorUrl.ToString(),
            ["Engagement:ClientId"] = "bench",
            ["Engagement:ClientSecret"] = "bench-secret",
            ["Engagement:ApiRequestsPerMinute"] = "1000000",
            ["Health:Enabled"] = "false",
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return WorkerHost.Build(WorkerHost.CreateBuilder([], settings), new CampaignSet([campaign]));
    }
}
