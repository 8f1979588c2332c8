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
/// What the campaign-keyed dispatch stage adds to an invite's decision latency, on the embedded
/// broker: events that all trigger arrive at a steady rate well below every limit (no queueing), and
/// the worker's decision latency (the outcomes' <c>decisionLatencyMs</c>: event read → result settled,
/// through the pending state, the trigger topic, the dispatch stage and the result topic; the settled
/// state and the outcome are written after it) is set against the bare HTTP round trip of
/// the same trigger to the same simulator, measured in the same run at the same rate.
/// </summary>
internal static class DispatchStageLatency
{
    private const int Partitions = 12;

    public static async Task RunAsync(int events, int perSecond)
    {
        using var cluster = EmbeddedKafkaCluster.Start(brokerCount: 3);
        var campaign = BenchmarkData.Guide() with { Throttling = new Throttling(1, 86400, 100_000_000) };
        await using var simulator = await SimulatorServer.StartAsync(
            new SimulatorOptions { ClientId = "bench", ClientSecret = "bench-secret", RequestsPerMinute = int.MaxValue }, [campaign]);

        var http = await HttpRoundTripsAsync(simulator, campaign.Id, events, perSecond);
        var worker = await WorkerAsync(cluster, simulator, campaign, events, perSecond);

        Console.WriteLine(Line($"events={events} rate_per_s={perSecond} partitions={Partitions}"));
        Console.WriteLine(Line($"http_round_trip_p50_ms={http.Percentile(50):F1}"));
        Console.WriteLine(Line($"http_round_trip_p99_ms={http.Percentile(99):F1}"));
        Console.WriteLine(Line($"decision_p50_ms={worker.Percentile(50):F1}"));
        Console.WriteLine(Line($"decision_p99_ms={worker.Percentile(99):F1}"));
        Console.WriteLine(Line($"added_by_topology_p50_ms={worker.Percentile(50) - http.Percentile(50):F1}"));
        Console.WriteLine(Line($"added_by_topology_p99_ms={worker.Percentile(99) - http.Percentile(99):F1}"));
    }

    private static async Task<LatencyHistogram> HttpRoundTripsAsync(SimulatorServer simulator, string campaignId, int requests, int perSecond)
    {
        using var http = new HttpClient { BaseAddress = simulator.BaseUrl };
        var token = await DispatchThroughput.RawTokenAsync(http);
        var histogram = new LatencyHistogram();
        var pending = new List<Task>();
        var started = Stopwatch.StartNew();
        for (var i = 0; i < requests; i++)
        {
            await PaceAsync(started, i, perSecond);
            var index = i;
            pending.Add(Task.Run(async () =>
            {
                var sent = Stopwatch.GetTimestamp();
                await DispatchThroughput.RawPostAsync(http, token, campaignId, $"ext:rtt{index}");
                histogram.Record(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            }));
        }

        await Task.WhenAll(pending);
        return histogram;
    }

    private static async Task<LatencyHistogram> WorkerAsync(EmbeddedKafkaCluster cluster, SimulatorServer simulator, Campaign campaign, int events, int perSecond)
    {
        using var host = BenchmarkWorker.Build(cluster, simulator, campaign, "latency", Partitions);
        var statistics = host.Services.GetRequiredService<PipelineStatistics>();
        await host.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(2)); // Both stages assigned and restored.

        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            LingerMs = 0,
            Partitioner = Partitioner.Murmur2Random,
        }).Build();
        var started = Stopwatch.StartNew();
        for (var i = 0; i < events; i++)
        {
            await PaceAsync(started, i, perSecond);
            var contact = $"ext:lat{i:D7}";
            var occurredAt = TimeProvider.System.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
            var json = $"{{\"eventId\":\"lat-{i}\",\"contactId\":\"{contact}\",\"channelId\":\"webchat:primary_embed\",\"occurredAt\":\"{occurredAt}\"," +
                "\"attributes\":{\"external.churn_probability\":0.9,\"session.dwell_time_seconds\":52,\"contact.is_authenticated\":true}}";
            producer.Produce("latency-in", new Message<string, byte[]> { Key = contact, Value = Encoding.UTF8.GetBytes(json) });
        }

        producer.Flush(TimeSpan.FromSeconds(30));
        var deadline = Stopwatch.StartNew();
        while (statistics.DecisionLatency.Count < events && deadline.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(20);
        }

        await host.StopAsync();
        return statistics.DecisionLatency.Count >= events
            ? statistics.DecisionLatency
            : throw new TimeoutException($"{statistics.DecisionLatency.Count} of {events} decided");
    }

    private static async Task PaceAsync(Stopwatch started, int index, int perSecond)
    {
        var due = TimeSpan.FromSeconds((double)index / perSecond);
        if (due > started.Elapsed)
        {
            await Task.Delay(due - started.Elapsed);
        }
    }

    private static string Line(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
