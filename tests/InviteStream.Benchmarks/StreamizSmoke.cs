using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;

namespace InviteStream.Benchmarks;

/// <summary>
/// The Streamiz peer alone on the mix workload: its rate, and its outcomes read back from its output
/// topic against the counts the input implies (a peer that decided differently would not be one).
/// </summary>
internal static class StreamizSmoke
{
    private const string Name = "smoke";
    private const int Partitions = 12;

    /// <returns>0 when the outcomes are the ones the input implies, 1 otherwise.</returns>
    public static async Task<int> RunAsync(int events)
    {
        using var stack = BenchStack.Start();
        stack.CreateTopic($"{Name}-in", Partitions);
        Workload.Produce(stack.BootstrapServers, $"{Name}-in", WorkloadKind.Mix, Name, 0, events);
        var expectedDelivered = Enumerable.Range(0, events).Count(i => Workload.Invites(WorkloadKind.Mix, i));
        var expectedSuppressed = Enumerable.Range(0, events).Count(i => Workload.HasOutcome(WorkloadKind.Mix, i)) - expectedDelivered;

        var startup = Stopwatch.StartNew();
        await using var peer = await StreamizPeer.StartAsync(stack, BenchStack.Campaign, Name, Partitions);
        Console.Error.WriteLine(Line($"# streamiz peer RUNNING {startup.Elapsed.TotalMilliseconds:F0} ms after start"));
        while (peer.Processed == 0)
        {
            await Task.Delay(1);
        }

        // Records the first thread processed before the second joined are left out of the rate.
        var clock = Stopwatch.StartNew();
        var processedAtStart = peer.Processed;
        while (peer.Processed < events)
        {
            await Task.Delay(1);
            if (clock.Elapsed > TimeSpan.FromMinutes(3))
            {
                throw new TimeoutException(Line($"The Streamiz peer processed {peer.Processed} of {events} events in 3 minutes."));
            }
        }

        var elapsed = clock.Elapsed;
        var (delivered, suppressed) = ReadOutcomes(stack, $"{Name}-peer-out", peer.Outcomes);
        Console.WriteLine(Line($"streamiz_events_per_s={(events - processedAtStart) / elapsed.TotalSeconds:F0}"));
        Console.WriteLine(Line($"outcomes={peer.Outcomes} delivered={delivered} suppressed={suppressed}"));
        if (delivered != expectedDelivered || suppressed != expectedSuppressed || peer.Processed != events)
        {
            Console.WriteLine(Line(
                $"MISMATCH: expected processed={events} delivered={expectedDelivered} suppressed={expectedSuppressed}, got processed={peer.Processed} delivered={delivered} suppressed={suppressed}"));
            return 1;
        }

        Console.WriteLine("outcomes_match_input=true");
        return 0;
    }

    // Read back from the topic: outcomes Kafka holds, not outcomes handed to Streamiz.
    private static (int Delivered, int Suppressed) ReadOutcomes(BenchStack stack, string topic, long expected)
    {
        using var consumer = new ConsumerBuilder<string?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = stack.BootstrapServers,
            GroupId = $"{topic}-reader",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        var delivered = 0;
        var suppressed = 0;
        var deadline = Stopwatch.StartNew();
        while (delivered + suppressed < expected && deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is not { } record)
            {
                continue;
            }

            using var outcome = JsonDocument.Parse(record.Message.Value);
            var status = outcome.RootElement.GetProperty("status").GetString();
            delivered += status == "delivered" ? 1 : 0;
            suppressed += status == "suppressed" ? 1 : 0;
        }

        consumer.Close();
        return (delivered, suppressed);
    }

    private static string Line(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
