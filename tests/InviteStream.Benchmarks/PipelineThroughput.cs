using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using InviteStream.Core.Campaigns;
using InviteStream.Kafka;
using InviteStream.Kafka.Embedded;
using InviteStream.Kafka.Pipeline;
using InviteStream.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace InviteStream.Benchmarks;

/// <summary>
/// End to end on the embedded broker: a raw Confluent.Kafka consume-and-produce loop over N events,
/// then the worker on N events that match no campaign, then on N events that all trigger (simulator
/// at zero latency, caps far above the load), all in one run so the ratios show the worker's own cost.
/// </summary>
internal static class PipelineThroughput
{
    private const int Partitions = 12;
    private const int Rounds = 5;

    // Every trigger of the one campaign goes through one trigger partition, and the embedded broker
    // trims a partition's log at about 5 MB (~6 000 triggers): more would be lost before they are read.
    private const int MaxTriggerEvents = 4_000;

    public static async Task RunAsync(int events, bool noMatchOnly = false, bool triggerOnly = false)
    {
        using var cluster = EmbeddedKafkaCluster.Start(brokerCount: 3);
        var campaign = BenchmarkData.Guide() with { Throttling = new Throttling(1, 86400, 100_000_000) };
        await using var simulator = await SimulatorServer.StartAsync(
            new SimulatorOptions { ClientId = "bench", ClientSecret = "bench-secret", RequestsPerMinute = int.MaxValue }, [campaign]);

        if (triggerOnly)
        {
            // For profiling the dispatch path alone.
            Console.WriteLine(Line($"trigger_events_per_s={(await WorkerAsync(cluster, simulator, campaign, Math.Min(events, MaxTriggerEvents), "trigger", churn: 0.9)).Rate:F0}"));
            return;
        }

        if (noMatchOnly)
        {
            // For profiling the decision path alone.
            Console.WriteLine(Line($"nomatch_events_per_s={(await WorkerAsync(cluster, simulator, campaign, events, "nomatch", churn: 0.1)).Rate:F0}"));
            return;
        }

        // Raw and no-match runs alternate; each round's ratio compares two runs made seconds apart,
        // and the median round is reported: the machine's noise and warm-up hit both sides alike.
        var raws = new List<double>();
        var noMatches = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            raws.Add(await RawConsumeProduceAsync(cluster, events, $"raw{round}"));
            noMatches.Add((await WorkerAsync(cluster, simulator, campaign, events, $"nomatch{round}", churn: 0.1)).Rate);
            Console.Error.WriteLine(Line($"# round {round}: raw {raws[^1]:F0}/s, no-match {noMatches[^1]:F0}/s"));
        }

        Memory("after no-match runs");
        var (trigger, p99) = await WorkerAsync(cluster, simulator, campaign, Math.Min(events, MaxTriggerEvents), "trigger", churn: 0.9);
        Memory("after trigger run");
        var httpCeiling = await HttpCeilingAsync(simulator, campaign.Id, Math.Min(events, 20_000));
        var raw = Median(raws);
        var noMatch = Median(noMatches);
        var noMatchRatio = Median([.. raws.Zip(noMatches, (r, n) => n / r)]);
        var peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);

        Console.WriteLine(Line($"events={events} partitions={Partitions} rounds={Rounds}"));
        Console.WriteLine(Line($"raw_msgs_per_s={raw:F0}"));
        Console.WriteLine(Line($"nomatch_events_per_s={noMatch:F0}"));
        Console.WriteLine(Line($"trigger_events_per_s={trigger:F0}"));
        Console.WriteLine(Line($"http_trigger_ceiling_per_s={httpCeiling:F0}"));
        Console.WriteLine(Line($"ratio_trigger_to_http_ceiling={trigger / httpCeiling:F2}"));
        Console.WriteLine(Line($"ratio_nomatch={noMatchRatio:F2}"));
        Console.WriteLine(Line($"ratio_trigger={trigger / raw:F2}"));
        Console.WriteLine(Line($"p99_decision_ms={p99:F1}"));
        Console.WriteLine(Line($"peak_working_set_mb={peakMb:F0}"));
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    // One POST per trigger is the product's contract, so the HTTP round trip to the same simulator,
    // with as many requests in flight as the worker allows per partition, bounds the trigger rate.
    private static async Task<double> HttpCeilingAsync(SimulatorServer simulator, string campaignId, int requests)
    {
        using var http = new HttpClient { BaseAddress = simulator.BaseUrl };
        var token = await DispatchThroughput.RawTokenAsync(http);
        await DispatchThroughput.RunConcurrentlyAsync(500, 64, i => DispatchThroughput.RawPostAsync(http, token, campaignId, $"ceiling-warm-{i}"));
        return await DispatchThroughput.RunConcurrentlyAsync(requests, 64, i => DispatchThroughput.RawPostAsync(http, token, campaignId, $"ceiling-{i}"));
    }

    private static async Task<double> RawConsumeProduceAsync(EmbeddedKafkaCluster cluster, int events, string name)
    {
        cluster.CreateTopic($"{name}-in", Partitions);
        cluster.CreateTopic($"{name}-out", Partitions);
        await ProduceAsync(cluster, $"{name}-in", events, name, 0.1);

        using var consumer = new ConsumerBuilder<string?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            GroupId = name,
            GroupProtocol = GroupProtocol.Consumer,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoOffsetStore = false,
        }).Build();
        using var producer = new ProducerBuilder<string?, byte[]>(new ProducerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            EnableIdempotence = true,
            LingerMs = 5,
        }).Build();

        Stopwatch? clock = null;
        consumer.Subscribe($"{name}-in");
        var delivered = 0;
        var read = 0;
        while (read < events)
        {
            var record = consumer.Consume(TimeSpan.FromSeconds(30)) ?? throw new TimeoutException("raw loop stalled");
            clock ??= Stopwatch.StartNew();
            read++;
            producer.Produce($"{name}-out", new Message<string?, byte[]> { Key = record.Message.Key, Value = record.Message.Value }, _ => Interlocked.Increment(ref delivered));
            consumer.StoreOffset(record);
        }

        producer.Flush(TimeSpan.FromSeconds(60));
        var rate = events / clock!.Elapsed.TotalSeconds;
        consumer.Close();
        return delivered == events ? rate : throw new InvalidOperationException($"raw loop delivered {delivered} of {events}");
    }

    private static async Task<(double Rate, double P99)> WorkerAsync(
        EmbeddedKafkaCluster cluster, SimulatorServer simulator, Campaign campaign, int events, string name, double churn)
    {
        using var host = BenchmarkWorker.Build(cluster, simulator, campaign, name, Partitions, new Dictionary<string, string?>
        {
            ["Pipeline:MaxEventAge"] = "01:00:00",
            ["Pipeline:MaxInviteDelay"] = "01:00:00",
        });
        await ProduceAsync(cluster, $"{name}-in", events, name, churn);
        var statistics = host.Services.GetRequiredService<PipelineStatistics>();
        var startup = Stopwatch.StartNew();
        await host.StartAsync();
        while (statistics.EventsRead == 0)
        {
            await Task.Delay(1);
        }

        // Steady state, as for the raw loop: from the first event read to the last decided.
        var clock = Stopwatch.StartNew();
        long peakCommitted = 0;
        var polls = 0;
        Console.Error.WriteLine(Line($"# {name}: first event read {startup.Elapsed.TotalMilliseconds:F0} ms after start (topic check, join, restore)"));
        while (statistics.Finished < events)
        {
            await Task.Delay(5);
            // Sampled every 100 ms: GetGCMemoryInfo itself costs enough to show up in the rate.
            if (++polls % 20 == 0)
            {
                peakCommitted = Math.Max(peakCommitted, GC.GetGCMemoryInfo().TotalCommittedBytes);
            }

            if (clock.Elapsed > TimeSpan.FromMinutes(3))
            {
                throw new TimeoutException($"{name}: {statistics.Finished} of {events} decided after 3 minutes");
            }
        }

        var rate = events / clock.Elapsed.TotalSeconds;
        Console.Error.WriteLine(Line($"# {name}: peak GC committed {peakCommitted / 1048576.0:F0} MB"));
        var p99 = statistics.DecisionLatency.Percentile(99);
        await host.StopAsync();
        return (rate, p99);
    }

    private static async Task ProduceAsync(EmbeddedKafkaCluster cluster, string topic, int events, string prefix, double churn)
    {
        using var producer = new ProducerBuilder<string?, byte[]>(new ProducerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            LingerMs = 20,
            EnableIdempotence = true,
            // Kafka's default partitioner, as the worker expects by default: every contact in its home partition.
            Partitioner = Partitioner.Murmur2Random,
        }).Build();
        var occurredAt = TimeProvider.System.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        for (var i = 0; i < events; i++)
        {
            var contact = $"ext:{prefix}{i:D7}";
            var attributes = $"\"external.churn_probability\":{churn.ToString(CultureInfo.InvariantCulture)},\"session.dwell_time_seconds\":52,\"contact.is_authenticated\":true,\"browser.locale\":\"en-US\",\"referrer.page\":\"/pricing/enterprise\"";
            var json = $"{{\"eventId\":\"{prefix}-{i}\",\"contactId\":\"{contact}\",\"channelId\":\"webchat:primary_embed\",\"occurredAt\":\"{occurredAt}\",\"correlationId\":\"c{i}\",\"attributes\":{{{attributes}}}}}";
            var message = new Message<string?, byte[]> { Key = contact, Value = Encoding.UTF8.GetBytes(json) };
            while (true)
            {
                try
                {
                    producer.Produce(topic, message);
                    break;
                }
                catch (ProduceException<string?, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(50));
                }
            }
        }

        producer.Flush(TimeSpan.FromSeconds(60));
        await Task.CompletedTask;
    }

    private static void Memory(string when)
    {
        using var process = Process.GetCurrentProcess();
        Console.Error.WriteLine(Line($"# {when}: managed heap {GC.GetTotalMemory(forceFullCollection: true) / 1048576.0:F0} MB, working set {process.WorkingSet64 / 1048576.0:F0} MB"));
    }

    private static string Line(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
