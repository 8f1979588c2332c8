using InviteStream.Core.Campaigns;
using InviteStream.Kafka.Embedded;
using InviteStream.Simulator;
using Microsoft.Extensions.Configuration;

namespace InviteStream.Host.Embedded;

/// <summary>
/// Development stand-ins started when nothing is configured: the embedded Kafka cluster (when
/// <c>Kafka:BootstrapServers</c> is empty) and the engagement simulator (when
/// <c>Engagement:BaseUrl</c> is empty). Their addresses are written into the configuration.
/// </summary>
internal sealed class EmbeddedInfrastructure : IAsyncDisposable
{
    public const int InputPartitions = 12;

    private EmbeddedInfrastructure()
    {
    }

    public EmbeddedKafkaCluster? Kafka { get; private set; }

    public SimulatorServer? Simulator { get; private set; }

    public static async Task<EmbeddedInfrastructure> StartAsync(
        ConfigurationManager configuration, CampaignSet campaigns, TextWriter output, CancellationToken cancellationToken)
    {
        var infrastructure = new EmbeddedInfrastructure();
        try
        {
            // Off in containers and production: a missing setting must fail, not start a stand-in.
            var enabled = configuration.GetValue("Embedded:Enabled", defaultValue: true);
            if (enabled && string.IsNullOrWhiteSpace(configuration["Health:Port"]))
            {
                // A development machine may run several workers: any free port, on loopback only.
                configuration["Health:Port"] = "0";
                configuration["Health:Host"] ??= "127.0.0.1";
            }

            if (enabled && string.IsNullOrWhiteSpace(configuration["Kafka:BootstrapServers"]))
            {
                var cluster = EmbeddedKafkaCluster.Start(brokerCount: 3);
                infrastructure.Kafka = cluster;
                var partitions = InputPartitions;
                var inputTopic = configuration["Kafka:InputTopic"] ?? "behavioral-events";
                cluster.CreateTopic(inputTopic, partitions, replicationFactor: 3);
                cluster.CreateTopic(configuration["Kafka:OutcomeTopic"] ?? "invite-outcomes", partitions, replicationFactor: 3);
                cluster.CreateTopic(configuration["Kafka:DeadLetterTopic"] ?? "behavioral-events.dlq", partitions, replicationFactor: 3);

                // The embedded broker cannot create topics through the Admin API; the changelog is made here.
                var groupId = configuration["Kafka:GroupId"] ?? "invitestream";
                cluster.CreateTopic(configuration["Kafka:ChangelogTopic"] is { Length: > 0 } changelog ? changelog : $"{groupId}.contact-state", partitions, replicationFactor: 3);
                if (configuration.GetSection("Kafka:UnkeyedInputTopics").GetChildren().Any())
                {
                    foreach (var unkeyed in configuration.GetSection("Kafka:UnkeyedInputTopics").GetChildren().Select(c => c.Value).OfType<string>().Where(t => t != inputTopic))
                    {
                        cluster.CreateTopic(unkeyed, partitions, replicationFactor: 3);
                    }

                    cluster.CreateTopic(configuration["Kafka:RepartitionTopic"] is { Length: > 0 } repartition ? repartition : $"{groupId}.repartition", partitions, replicationFactor: 3);
                }
                configuration["Kafka:BootstrapServers"] = cluster.BootstrapServers;

                // The embedded broker assigns KIP-848 groups in milliseconds, and frees a departed
                // classic-protocol member only after its session timeout.
                if (string.IsNullOrWhiteSpace(configuration["Kafka:GroupProtocol"]))
                {
                    configuration["Kafka:GroupProtocol"] = "Consumer";
                }

                output.WriteLine($"Kafka bootstrap servers: {cluster.BootstrapServers}");
                output.WriteLine("warning: the embedded Kafka broker is for development only; set Kafka:BootstrapServers for real use.");
            }

            if (enabled && string.IsNullOrWhiteSpace(configuration["Engagement:BaseUrl"]))
            {
                var options = new SimulatorOptions
                {
                    ClientId = "invitestream-embedded",
                    ClientSecret = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)),
                    RequestsPerMinute = int.TryParse(configuration["Engagement:ApiRequestsPerMinute"], out var rate) ? rate : 300,
                };

                // Fault injection for local experiments, e.g. --Simulator:Faults:ErrorRate=0.2
                configuration.GetSection("Simulator:Faults").Bind(options.Faults);
                var simulator = await SimulatorServer.StartAsync(options, campaigns.Campaigns, cancellationToken: cancellationToken);
                infrastructure.Simulator = simulator;
                configuration["Engagement:BaseUrl"] = simulator.BaseUrl.ToString();
                configuration["Engagement:TokenUrl"] = new Uri(simulator.BaseUrl, "oauth/token").ToString();
                configuration["Engagement:ClientId"] = options.ClientId;
                configuration["Engagement:ClientSecret"] = options.ClientSecret;
                output.WriteLine($"Engagement simulator: {simulator.BaseUrl.ToString().TrimEnd('/')}");
                output.WriteLine("warning: the engagement simulator is for development only; set Engagement:BaseUrl for real use.");
            }

            return infrastructure;
        }
        catch
        {
            await infrastructure.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Simulator is not null)
        {
            await Simulator.DisposeAsync();
        }

        Kafka?.Dispose();
    }
}
