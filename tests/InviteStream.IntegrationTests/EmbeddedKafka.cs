using InviteStream.Kafka.Embedded;

namespace InviteStream.IntegrationTests;

/// <summary>One embedded broker for the whole test run; each test uses its own topics and group.</summary>
[SetUpFixture]
public sealed class EmbeddedKafka
{
    private static EmbeddedKafkaCluster? _cluster;

    public static EmbeddedKafkaCluster Cluster => _cluster ?? throw new InvalidOperationException("The embedded broker is not running.");

    [OneTimeSetUp]
    public void Start() => _cluster = EmbeddedKafkaCluster.Start(brokerCount: 3);

    [OneTimeTearDown]
    public async Task Stop()
    {
        await TestKafkas.StopAsync();
        _cluster?.Dispose();
        _cluster = null;
    }
}
