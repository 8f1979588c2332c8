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
        EmbeddedKafkaCluster cluster, SimulatorServer simulator, Campaign campaign, string name, int partitions, IDictionary<string, string?>? more = null)
    {
        var kafka = new KafkaOptions { GroupId = name, InputTopic = $"{name}-in", OutcomeTopic = $"{name}-out", DeadLetterTopic = $"{name}-dlq", StatsTopic = $"{name}-stats" };
        foreach (var topic in TopicPlan.For(kafka, partitions))
        {
            cluster.CreateTopic(topic.Name, topic.Partitions);
        }

        var settings = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Kafka:BootstrapServers"] = cluster.BootstrapServers,
            ["Kafka:GroupId"] = kafka.GroupId,
            ["Kafka:GroupProtocol"] = "Consumer",
            ["Kafka:InputTopic"] = kafka.InputTopic,
            ["Kafka:OutcomeTopic"] = kafka.OutcomeTopic,
            ["Kafka:DeadLetterTopic"] = kafka.DeadLetterTopic,
            ["Kafka:StatsTopic"] = kafka.StatsTopic,
            ["Engagement:BaseUrl"] = simulator.BaseUrl.ToString(),
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
