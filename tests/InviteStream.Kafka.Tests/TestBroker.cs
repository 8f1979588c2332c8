using InviteStream.Kafka.Embedded;

namespace InviteStream.Kafka.Tests;

/// <summary>One embedded broker for every test of the assembly, started on first use.</summary>
[SetUpFixture]
public sealed class TestBroker
{
    private static readonly Lazy<EmbeddedKafkaCluster> Started = new(() => EmbeddedKafkaCluster.Start(brokerCount: 1));

    public static EmbeddedKafkaCluster Cluster => Started.Value;

    /// <summary>A new topic of its own for one test.</summary>
    public static string Topic(string prefix, int partitions)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}";
        Cluster.CreateTopic(name, partitions);
        return name;
    }

    [OneTimeTearDown]
    public void Stop()
    {
        if (Started.IsValueCreated)
        {
            Started.Value.Dispose();
        }
    }
}
