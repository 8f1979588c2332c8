using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using InviteStream.Core.Campaigns;
using InviteStream.Kafka.Pipeline;
using InviteStream.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace InviteStream.IntegrationTests;

/// <summary>
/// Topics of its own on the shared embedded broker, a simulator on loopback, and workers built
/// exactly as the host builds them.
/// </summary>
internal sealed class PipelineHarness : IAsyncDisposable
{
    private readonly string _bootstrapServers;
    private readonly ITestKafka _kafka;

    private PipelineHarness(ITestKafka kafka, SimulatorServer simulator, CampaignSet campaigns, int partitions)
    {
        _kafka = kafka;
        _bootstrapServers = kafka.BootstrapServers;
        Simulator = simulator;
        Campaigns = campaigns;
        Partitions = partitions;
        var suffix = Guid.NewGuid().ToString("N")[..10];
        InputTopic = $"events-{suffix}";
        OutcomeTopic = $"outcomes-{suffix}";
        DeadLetterTopic = $"events-{suffix}.dlq";
        GroupId = $"group-{suffix}";
    }

    public SimulatorServer Simulator { get; }

    public CampaignSet Campaigns { get; }

    public int Partitions { get; }

    public string InputTopic { get; }

    public string OutcomeTopic { get; }

    public string DeadLetterTopic { get; }

    public string GroupId { get; }

    public static Task<PipelineHarness> StartAsync(int partitions, params string[] campaignJson) =>
        StartAsync(partitions, TimeSpan.Zero, campaignJson);

    public static Task<PipelineHarness> StartAsync(int partitions, TimeSpan engineDelay, params string[] campaignJson) =>
        StartAsync(TestKafkas.EmbeddedBroker, partitions, engineDelay, campaignJson);

    public static async Task<PipelineHarness> StartAsync(ITestKafka kafka, int partitions, TimeSpan engineDelay, params string[] campaignJson)
    {
        var campaigns = new List<Campaign>();
        foreach (var json in campaignJson)
        {
            var (campaign, diagnostics) = CampaignReader.Read(json, "test campaign");
            campaigns.Add(campaign ?? throw new InvalidOperationException(string.Join("; ", diagnostics)));
        }

        var simulator = await SimulatorServer.StartAsync(
            new SimulatorOptions { ClientId = "tests", ClientSecret = "s3cr3t-for-tests", RequestsPerMinute = 1_000_000, Faults = new SimulatorFaults { LatencyMin = engineDelay, LatencyMax = engineDelay } }, campaigns);
        var harness = new PipelineHarness(kafka, simulator, new CampaignSet(campaigns), partitions);
        kafka.CreateTopic(harness.InputTopic, partitions);
        kafka.CreateTopic(harness.OutcomeTopic, partitions);
        kafka.CreateTopic(harness.DeadLetterTopic, partitions);
        harness.CreateChangelogFor(harness.GroupId);
        return harness;
    }

    /// <summary>The internal topics a worker of <paramref name="groupId"/> needs (the embedded broker cannot create topics on request).</summary>
    public void CreateChangelogFor(string groupId)
    {
        foreach (var topic in Kafka.TopicPlan.For(new Kafka.KafkaOptions { GroupId = groupId, StatsTopic = StatsTopicOf(groupId) }, Partitions).Where(t => t.CreatedByWorker))
        {
            _kafka.CreateTopic(topic.Name, topic.Partitions);
        }
    }

    /// <summary>The stats topic of a worker of <paramref name="groupId"/>: one per group, since the embedded broker is shared by every test.</summary>
    public static string StatsTopicOf(string groupId) => $"{groupId}.invite-stats";

    public string StatsTopic => StatsTopicOf(GroupId);

    /// <summary>The contact-state changelog of the harness's group.</summary>
    public string ChangelogTopic => new Kafka.KafkaOptions { GroupId = GroupId }.EffectiveChangelogTopic;

    /// <summary>The internal topic a worker of <paramref name="groupId"/> re-keys records through.</summary>
    public static string RepartitionTopicOf(string groupId) => $"{groupId}.repartition";

    public string BootstrapServers => _bootstrapServers;

    /// <summary>A worker host wired as <c>run</c> wires it; not started.</summary>
    /// <param name="services">Registrations made before the worker's own (which only add what is missing).</param>
    /// <param name="decorate">Changes made after the worker's own registrations.</param>
    public IHost BuildWorker(
        IDictionary<string, string?>? overrides = null, ILoggerProvider? logs = null, Action<IServiceCollection>? services = null, Action<IServiceCollection>? decorate = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Kafka:BootstrapServers"] = _bootstrapServers,
            ["Kafka:GroupId"] = GroupId,
            ["Kafka:GroupProtocol"] = "Consumer",
            ["Kafka:InputTopic"] = InputTopic,
            ["Kafka:OutcomeTopic"] = OutcomeTopic,
            ["Kafka:DeadLetterTopic"] = DeadLetterTopic,
            ["Kafka:StatsTopic"] = StatsTopic,
            ["Engagement:BaseUrl"] = Simulator.BaseUrl.ToString(),
            ["Engagement:ClientId"] = "tests",
            ["Engagement:ClientSecret"] = "s3cr3t-for-tests",
            ["Engagement:ApiRequestsPerMinute"] = "1000000",
            ["Health:Host"] = "127.0.0.1",
            ["Health:Port"] = "0",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var builder = WorkerHost.CreateBuilder([], settings);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        services?.Invoke(builder.Services);

        return WorkerHost.Build(builder, Campaigns, decorate);
    }

    public async Task ProduceAsync(IEnumerable<(string? Key, string Value)> records)
    {
        using var producer = new ProducerBuilder<string?, string>(new ProducerConfig
        {
            BootstrapServers = _bootstrapServers,
            EnableIdempotence = true,
            LingerMs = 2,
            // Kafka's default partitioner, which the worker expects by default: contacts land in their home partition.
            Partitioner = Partitioner.Murmur2Random,
        }).Build();
        var deliveries = records
            .Select(r => producer.ProduceAsync(InputTopic, new Message<string?, string> { Key = r.Key, Value = r.Value }))
            .ToList();
        await Task.WhenAll(deliveries);
    }

    /// <param name="topic">Default: the input topic.</param>
    public async Task ProduceRawAsync(IEnumerable<Message<string?, byte[]?>> messages, string? topic = null)
    {
        using var producer = new ProducerBuilder<string?, byte[]?>(
            new ProducerConfig
            {
                BootstrapServers = _bootstrapServers,
                EnableIdempotence = true,
                Partitioner = Partitioner.Murmur2Random,
                // A producer configured for larger records than the worker's own producer may write.
                MessageMaxBytes = 2_000_000,
            }).Build();
        foreach (var message in messages)
        {
            // One at a time: the corpus test maps source offsets to expected reasons.
            await producer.ProduceAsync(topic ?? InputTopic, message);
        }
    }

    /// <summary>Every record in a topic right now (committed ones, under read_committed), read to each partition's end.</summary>
    public IReadOnlyList<ConsumeResult<string?, byte[]>> ReadAll(string topic)
    {
        using var consumer = new ConsumerBuilder<string?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = _bootstrapServers,
            GroupId = $"reader-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
            FetchWaitMaxMs = 10,
            // Ends by EOF, not by high watermark: a transactional topic ends in a commit marker no reader sees.
            EnablePartitionEof = true,
            IsolationLevel = IsolationLevel.ReadCommitted,
        }).Build();
        var remaining = new HashSet<int>();
        for (var p = 0; p < Partitions; p++)
        {
            if (consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value > 0)
            {
                remaining.Add(p);
            }
        }

        var records = new List<ConsumeResult<string?, byte[]>>();
        consumer.Assign(remaining.Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        while (remaining.Count > 0)
        {
            var record = consumer.Consume(TimeSpan.FromSeconds(10)) ?? throw new TimeoutException($"{topic} stopped before the end of its partitions");
            if (record.IsPartitionEOF)
            {
                remaining.Remove(record.Partition.Value);
            }
            else
            {
                records.Add(record);
            }
        }

        return [.. records.OrderBy(r => r.Partition.Value).ThenBy(r => r.Offset.Value)];
    }

    /// <summary>The sum of a topic's end offsets: its records plus the transaction markers among them.</summary>
    public long EndOffsets(string topic) => Watermarks(topic).Sum(w => w.High.Value);

    /// <summary>
    /// The partitions of <paramref name="topic"/> whose first records are gone, with where each starts
    /// now: the embedded broker keeps about 5 MB of a partition, and a test that writes more than that
    /// to a changelog restores less state than it wrote.
    /// </summary>
    public List<(int Partition, long FirstOffset)> TrimmedPartitions(string topic) =>
        [.. Watermarks(topic).Select((w, p) => (p, w.Low.Value)).Where(p => p.Value > 0)];

    // Each partition's first and end offsets, by partition number.
    private List<WatermarkOffsets> Watermarks(string topic)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = _bootstrapServers, GroupId = "watermarks" }).Build();
        return [.. Enumerable.Range(0, Partitions).Select(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)))];
    }

    /// <summary>Input records (partition, offset) that no outcome names as its source yet.</summary>
    public List<(int Partition, long Offset)> InputsWithoutOutcome()
    {
        var decided = DecidedPositions();
        return [.. ReadAll(InputTopic).Select(r => (r.Partition.Value, r.Offset.Value)).Where(p => !decided.Contains(p))];
    }

    /// <summary>Waits until every input record has an outcome; returns those still without one at the timeout.</summary>
    public async Task<List<(int Partition, long Offset)>> WaitForEveryInputDecidedAsync(TimeSpan timeout)
    {
        var missing = InputsWithoutOutcome();
        using var deadline = new CancellationTokenSource(timeout);
        while (missing.Count > 0 && !deadline.IsCancellationRequested)
        {
            await Task.Delay(200, CancellationToken.None);
            missing = InputsWithoutOutcome();
        }

        return missing;
    }

    public IReadOnlyList<JsonElement> ReadOutcomes() =>
        [.. ReadAll(OutcomeTopic).Select(r => JsonDocument.Parse(r.Message.Value).RootElement)];

    public static PipelineStatistics StatisticsOf(IHost worker) => worker.Services.GetRequiredService<PipelineStatistics>();

    /// <summary>How many input records have an outcome (however many each has).</summary>
    public int DecidedInputs() => DecidedPositions().Count;

    // The input records (partition, offset) some outcome names as its source.
    private HashSet<(int Partition, long Offset)> DecidedPositions() =>
        [.. ReadOutcomes().Select(o => (o.GetProperty("sourcePartition").GetInt32(), o.GetProperty("sourceOffset").GetInt64()))];

    /// <param name="every">How often the condition is checked: 20 ms unless it is costly.</param>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what, TimeSpan? every = null)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (!condition())
        {
            if (deadline.IsCancellationRequested)
            {
                Assert.Fail($"Timed out after {timeout} waiting until {what}.");
            }

            await Task.Delay(every ?? TimeSpan.FromMilliseconds(20), CancellationToken.None);
        }
    }

    public static string Text(byte[] value) => Encoding.UTF8.GetString(value);

    public async ValueTask DisposeAsync() => await Simulator.DisposeAsync();

}
