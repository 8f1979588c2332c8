using Confluent.Kafka;
using Confluent.Kafka.Admin;
using DotNet.Testcontainers.Builders;
using Testcontainers.Kafka;

namespace InviteStream.IntegrationTests;

/// <summary>A Kafka the proof tests run against: the embedded broker always, a real one in a container where Docker exists.</summary>
public interface ITestKafka
{
    string BootstrapServers { get; }

    void CreateTopic(string name, int partitions);
}

/// <summary>The broker kinds proof fixtures are parameterised with.</summary>
public static class TestKafkas
{
    public const string Embedded = "embedded";
    public const string Container = "testcontainers";

    private static readonly SemaphoreSlim ContainerStart = new(1, 1);
    private static ContainerKafka? _container;
    private static string? _containerUnavailable;

    public static IEnumerable<string> All => [Embedded, Container];

    public static ITestKafka EmbeddedBroker { get; } = new EmbeddedTestKafka();

    /// <summary>The broker of that kind; for a container without a Docker engine (and only then), the test is reported skipped.</summary>
    public static async Task<ITestKafka> GetAsync(string kind)
    {
        if (kind == Embedded)
        {
            return EmbeddedBroker;
        }

        await ContainerStart.WaitAsync();
        try
        {
            if (_container is null && _containerUnavailable is null)
            {
                try
                {
                    var container = new KafkaBuilder("apache/kafka:4.1.0").Build();
                    await container.StartAsync();
                    _container = new ContainerKafka(container);
                }
                catch (DockerUnavailableException ex)
                {
                    // Only a missing engine skips: a container or broker that fails to start fails the test.
                    _containerUnavailable = ex.Message;
                }
            }
        }
        finally
        {
            ContainerStart.Release();
        }

        if (_container is null)
        {
            Assert.Ignore($"No Docker engine, so no real Kafka in a container: {_containerUnavailable}");
        }

        return _container!;
    }

    public static async Task StopAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }

    private sealed class EmbeddedTestKafka : ITestKafka
    {
        public string BootstrapServers => EmbeddedKafka.Cluster.BootstrapServers;

        public void CreateTopic(string name, int partitions) => EmbeddedKafka.Cluster.CreateTopic(name, partitions);
    }

    private sealed class ContainerKafka(KafkaContainer container) : ITestKafka, IAsyncDisposable
    {
        public string BootstrapServers { get; } = container.GetBootstrapAddress();

        public void CreateTopic(string name, int partitions)
        {
            using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build();
            admin.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = partitions, ReplicationFactor = 1 }])
                .GetAwaiter().GetResult();
        }

        public ValueTask DisposeAsync() => container.DisposeAsync();
    }
}
