using InviteStream.Configuration;
using InviteStream.Core.Campaigns;
using InviteStream.Kafka;
using InviteStream.Kafka.Embedded;
using InviteStream.Simulator;
using Microsoft.Extensions.Configuration;

namespace InviteStream.Embedded;

/// <summary>
/// Development stand-ins started when nothing is configured: the embedded Kafka cluster (when
/// <c>Kafka:BootstrapServers</c> is empty) and the engagement simulator (when
/// <c>Engagement:BaseUrl</c> is empty). Their addresses are written into the configuration, once
/// every setting has been checked against <see cref="Placeholders"/>.
/// </summary>
internal sealed class EmbeddedInfrastructure : IAsyncDisposable
{
    public const int InputPartitions = 12;

    private EmbeddedInfrastructure()
    {
    }

    public EmbeddedKafkaCluster? Kafka { get; private set; }

    public SimulatorServer? Simulator { get; private set; }

    public const string SimulatorFaultsSection = "Simulator:Faults";

    /// <summary>
    /// The simulator's fixed development credentials: a worker pointed at a loopback simulator with no
    /// credentials of its own uses them, so workers join a <c>dev-stack</c> (or another worker's
    /// embedded simulator) with nothing but its address.
    /// </summary>
    public static readonly (string ClientId, string ClientSecret) DevelopmentCredentials =
        (new SimulatorOptions().ClientId, new SimulatorOptions().ClientSecret);

    /// <summary>
    /// What <see cref="StartAsync"/> would write into the configuration, with placeholder addresses
    /// and credentials: every other setting can be checked against it before anything starts.
    /// </summary>
    public static Dictionary<string, string?> Placeholders(IConfiguration configuration)
    {
        var settings = DevelopmentDefaults(configuration);
        if (StartsKafka(configuration))
        {
            settings["Kafka:BootstrapServers"] = "127.0.0.1:9092";
        }

        if (StartsSimulator(configuration))
        {
            AddSimulator(settings, new Uri("http://127.0.0.1/"));
        }

        return settings;
    }

    public static async Task<EmbeddedInfrastructure> StartAsync(
        ConfigurationManager configuration, CampaignSet campaigns, TextWriter output, CancellationToken cancellationToken)
    {
        var infrastructure = new EmbeddedInfrastructure();
        try
        {
            var settings = DevelopmentDefaults(configuration);
            if (StartsKafka(configuration))
            {
                var cluster = StartKafka(SettingsConversion.Read<KafkaOptions>(configuration.GetSection(KafkaOptions.SectionName)));
                infrastructure.Kafka = cluster;
                settings["Kafka:BootstrapServers"] = cluster.BootstrapServers;
                output.WriteLine($"Kafka bootstrap servers: {cluster.BootstrapServers}");
                output.WriteLine("warning: the embedded Kafka broker is for development only; set Kafka:BootstrapServers for real use.");
            }

            if (StartsSimulator(configuration))
            {
                var simulator = await StartSimulatorAsync(configuration, campaigns, cancellationToken);
                infrastructure.Simulator = simulator;
                AddSimulator(settings, simulator.BaseUrl);
                output.WriteLine($"Engagement simulator: {simulator.BaseUrl.ToString().TrimEnd('/')}");
                output.WriteLine("warning: the engagement simulator is for development only; set Engagement:BaseUrl for real use.");
            }

            foreach (var (key, value) in settings)
            {
                configuration[key] = value;
            }

            return infrastructure;
        }
        catch
        {
            await infrastructure.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The embedded cluster with every topic of the <see cref="TopicPlan"/> (and the further unkeyed
    /// inputs) created: it cannot create topics through the Admin API.
    /// </summary>
    public static EmbeddedKafkaCluster StartKafka(KafkaOptions kafka)
    {
        var cluster = EmbeddedKafkaCluster.Start(brokerCount: 3);
        try
        {
            foreach (var topic in TopicPlan.For(kafka, InputPartitions))
            {
                cluster.CreateTopic(topic.Name, topic.Partitions, replicationFactor: 3);
            }

            foreach (var unkeyed in kafka.UnkeyedInputTopics.Where(t => t != kafka.InputTopic))
            {
                cluster.CreateTopic(unkeyed, InputPartitions, replicationFactor: 3);
            }

            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>The simulator with the development credentials, the campaigns, the API rate and any faults configured.</summary>
    public static Task<SimulatorServer> StartSimulatorAsync(IConfiguration configuration, CampaignSet campaigns, CancellationToken cancellationToken)
    {
        var options = new SimulatorOptions
        {
            ClientId = DevelopmentCredentials.ClientId,
            ClientSecret = DevelopmentCredentials.ClientSecret,
            RequestsPerMinute = int.TryParse(configuration["Engagement:ApiRequestsPerMinute"], out var rate) ? rate : 300,
        };

        // Fault injection for local experiments, e.g. --Simulator:Faults:ErrorRate=0.2
        SettingsConversion.Bind(configuration.GetSection(SimulatorFaultsSection), options.Faults);
        return SimulatorServer.StartAsync(options, campaigns.Campaigns, cancellationToken: cancellationToken);
    }

    // Off in containers and production: a missing setting must fail, not start a stand-in.
    private static bool Enabled(IConfiguration configuration) =>
        SettingsConversion.Read<EmbeddedOptions>(configuration.GetSection(EmbeddedOptions.SectionName)).Enabled;

    private static bool StartsKafka(IConfiguration configuration) =>
        Enabled(configuration) && string.IsNullOrWhiteSpace(configuration["Kafka:BootstrapServers"]);

    private static bool StartsSimulator(IConfiguration configuration) =>
        Enabled(configuration) && string.IsNullOrWhiteSpace(configuration["Engagement:BaseUrl"]) && string.IsNullOrWhiteSpace(configuration["Engagement:Region"]);

    private static Dictionary<string, string?> DevelopmentDefaults(IConfiguration configuration)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (Enabled(configuration) && string.IsNullOrWhiteSpace(configuration["Health:Port"]))
        {
            // A development machine may run several workers: any free port, on loopback only.
            settings["Health:Port"] = "0";
            settings["Health:Host"] = configuration["Health:Host"] ?? "127.0.0.1";
        }

        // The embedded broker assigns KIP-848 groups in milliseconds, and frees a departed
        // classic-protocol member only after its session timeout.
        if (StartsKafka(configuration) && string.IsNullOrWhiteSpace(configuration["Kafka:GroupProtocol"]))
        {
            settings["Kafka:GroupProtocol"] = "Consumer";
        }

        if (JoinsLocalSimulator(configuration))
        {
            settings["Engagement:ClientId"] = DevelopmentCredentials.ClientId;
            settings["Engagement:ClientSecret"] = DevelopmentCredentials.ClientSecret;
        }

        return settings;
    }

    // A simulator on this machine (dev-stack, another worker's) and no credentials given: its own.
    private static bool JoinsLocalSimulator(IConfiguration configuration) =>
        Enabled(configuration)
        && Uri.TryCreate(configuration["Engagement:BaseUrl"], UriKind.Absolute, out var baseUrl)
        && baseUrl.IsLoopback
        && string.IsNullOrWhiteSpace(configuration["Engagement:ClientId"])
        && string.IsNullOrWhiteSpace(configuration["Engagement:ClientSecret"]);

    private static void AddSimulator(Dictionary<string, string?> settings, Uri baseUrl)
    {
        settings["Engagement:BaseUrl"] = baseUrl.ToString();
        settings["Engagement:TokenUrl"] = new Uri(baseUrl, "oauth/token").ToString();
        settings["Engagement:ClientId"] = DevelopmentCredentials.ClientId;
        settings["Engagement:ClientSecret"] = DevelopmentCredentials.ClientSecret;
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
