using BenchmarkDotNet.Running;
using InviteStream.Benchmarks;

// dotnet run -c Release --project tests/InviteStream.Benchmarks -- memory        bytes per contact in the state store
// dotnet run -c Release --project tests/InviteStream.Benchmarks -- pipeline [--events N] [--restore N] [--only nomatch|mix|trigger|restore [--variant Key=value]]
//     the worker against raw consume loops, bare HTTP and Streamiz; latency under load; restore
// dotnet run -c Release --project tests/InviteStream.Benchmarks -- dispatch [N]    invites/s through the dispatcher vs raw HTTP
// dotnet run -c Release --project tests/InviteStream.Benchmarks -- dispatch-latency [N] [rate]  decision latency through the dispatch stage vs the HTTP round trip
// dotnet run -c Release --project tests/InviteStream.Benchmarks -- replay [fileEvents] [topicEvents]  replay from a file, and from a topic vs a raw consume loop
// dotnet run -c Release --project tests/InviteStream.Benchmarks -- streamiz-smoke [N]  the Streamiz.Kafka.Net peer alone: events/s and its outcomes checked
// dotnet run -c Release --project tests/InviteStream.Benchmarks -- --filter '*'  BenchmarkDotNet suites (evaluation, store, limiter)
if (BenchStack.IsChildCommand(args))
{
    await BenchStack.RunChildAsync();
    return;
}

if (args is ["memory", ..])
{
    StateStoreMemory.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
    return;
}

if (args is ["pipeline", ..])
{
    string? Option(string name)
    {
        var at = Array.IndexOf(args, name);
        return at > 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    await PipelineThroughput.RunAsync(
        events: int.Parse(Option("--events") ?? "120000", System.Globalization.CultureInfo.InvariantCulture),
        restoreContacts: int.Parse(Option("--restore") ?? "1000000", System.Globalization.CultureInfo.InvariantCulture),
        only: Option("--only"),
        variant: Option("--variant"));
    return;
}

if (args is ["dispatch-latency", ..])
{
    await DispatchStageLatency.RunAsync(
        events: args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3_000,
        perSecond: args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 100);
    return;
}

if (args is ["replay", ..])
{
    await ReplayThroughput.RunAsync(
        fileEvents: args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000,
        topicEvents: args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 150_000);
    return;
}

if (args is ["dispatch", ..])
{
    await DispatchThroughput.RunAsync(
        requests: args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20_000,
        inFlight: 64);
    return;
}

if (args is ["streamiz-smoke", ..])
{
    Environment.ExitCode = await StreamizSmoke.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50_000);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(EvaluationBenchmarks).Assembly).Run(args);

namespace InviteStream.Benchmarks
{
    /// <summary>
    /// The Streamiz peer on its own, on the embedded broker: N events of which 85 % match no filter,
    /// 5 % are a contact's first match (invited) and 10 % match again for a contact invited earlier in
    /// the input (suppressed by the cooldown), so every outcome count is known in advance.
    /// </summary>
    internal static class StreamizSmoke
    {
        private const string Name = "smoke";
        private const int Partitions = 12;

        // Positions in each block of 20 events: 17 of 20 no-match, 1 new contact, 2 repeats of it.
        private const int BlockSize = 20;
        private const int NewContactPosition = 17;

        public static async Task<int> RunAsync(int events)
        {
            using var cluster = InviteStream.Kafka.Embedded.EmbeddedKafkaCluster.Start(brokerCount: 3);
            cluster.CreateTopic($"{Name}-in", Partitions);
            var (expectedDelivered, expectedSuppressed) = Produce(cluster, $"{Name}-in", events);

            var startup = System.Diagnostics.Stopwatch.StartNew();
            await using var peer = await StreamizPeer.StartAsync(cluster, BenchmarkData.Guide(), Name, Partitions);
            Console.Error.WriteLine(Line($"# streamiz peer RUNNING {startup.Elapsed.TotalMilliseconds:F0} ms after start"));

            while (peer.Processed == 0)
            {
                await Task.Delay(1);
                if (startup.Elapsed > TimeSpan.FromMinutes(3))
                {
                    throw new TimeoutException("The Streamiz peer processed nothing in 3 minutes.");
                }
            }

            // From the first record seen processed to the last. Records the first thread processed
            // before the second joined (while the peer was not yet RUNNING) are left out of the rate.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var processedAtStart = peer.Processed;
            Console.Error.WriteLine(Line($"# {processedAtStart} events already processed when the clock started"));
            while (peer.Processed < events)
            {
                await Task.Delay(1);
                if (clock.Elapsed > TimeSpan.FromMinutes(3))
                {
                    throw new TimeoutException(Line($"The Streamiz peer processed {peer.Processed} of {events} events in 3 minutes."));
                }
            }

            var elapsed = clock.Elapsed;
            var (delivered, suppressed) = ReadOutcomes(cluster, $"{Name}-peer-out", peer.Outcomes);
            Console.WriteLine(Line($"events={events} partitions={Partitions} stream_threads=2"));
            Console.WriteLine(Line($"streamiz_events_per_s={(events - processedAtStart) / elapsed.TotalSeconds:F0}"));
            Console.WriteLine(Line($"streamiz_elapsed_s={elapsed.TotalSeconds:F2}"));
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

        private static (int Delivered, int Suppressed) Produce(InviteStream.Kafka.Embedded.EmbeddedKafkaCluster cluster, string topic, int events)
        {
            using var producer = new Confluent.Kafka.ProducerBuilder<string?, byte[]>(new Confluent.Kafka.ProducerConfig
            {
                BootstrapServers = cluster.BootstrapServers,
                LingerMs = 20,
                EnableIdempotence = true,
                // Kafka's default partitioner, as Streamiz's stores expect: every contact in its home partition.
                Partitioner = Confluent.Kafka.Partitioner.Murmur2Random,
            }).Build();
            var occurredAt = TimeProvider.System.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
            var delivered = 0;
            var suppressed = 0;
            for (var i = 0; i < events; i++)
            {
                var position = i % BlockSize;
                var matches = position >= NewContactPosition;
                // The repeats reuse the key of their block's new contact, produced just before them.
                var contact = position > NewContactPosition
                    ? Line($"ext:s{i - position + NewContactPosition:D7}")
                    : Line($"ext:s{i:D7}");
                if (position == NewContactPosition)
                {
                    delivered++;
                }
                else if (matches)
                {
                    suppressed++;
                }

                var churn = matches ? "0.9" : "0.1";
                var json = Line($"{{\"eventId\":\"p-{i}\",\"contactId\":\"{contact}\",\"channelId\":\"webchat:primary_embed\",\"occurredAt\":\"{occurredAt}\",\"correlationId\":\"c{i}\",\"attributes\":{{\"external.churn_probability\":{churn},\"session.dwell_time_seconds\":52,\"contact.is_authenticated\":true,\"browser.locale\":\"en-US\",\"referrer.page\":\"/pricing/enterprise\"}}}}");
                var message = new Confluent.Kafka.Message<string?, byte[]> { Key = contact, Value = System.Text.Encoding.UTF8.GetBytes(json) };
                while (true)
                {
                    try
                    {
                        producer.Produce(topic, message);
                        break;
                    }
                    catch (Confluent.Kafka.ProduceException<string?, byte[]> ex) when (ex.Error.Code == Confluent.Kafka.ErrorCode.Local_QueueFull)
                    {
                        producer.Poll(TimeSpan.FromMilliseconds(50));
                    }
                }
            }

            if (producer.Flush(TimeSpan.FromSeconds(60)) > 0)
            {
                throw new TimeoutException($"Events still unsent to {topic} after 60 s.");
            }

            return (delivered, suppressed);
        }

        // Read back from the topic, so the counts are of outcomes Kafka holds, not of outcomes handed to Streamiz.
        private static (int Delivered, int Suppressed) ReadOutcomes(InviteStream.Kafka.Embedded.EmbeddedKafkaCluster cluster, string topic, long expected)
        {
            using var consumer = new Confluent.Kafka.ConsumerBuilder<string?, byte[]>(new Confluent.Kafka.ConsumerConfig
            {
                BootstrapServers = cluster.BootstrapServers,
                GroupId = $"{topic}-reader",
                AutoOffsetReset = Confluent.Kafka.AutoOffsetReset.Earliest,
                EnableAutoCommit = false,
            }).Build();
            consumer.Subscribe(topic);
            var delivered = 0;
            var suppressed = 0;
            var deadline = System.Diagnostics.Stopwatch.StartNew();
            while (delivered + suppressed < expected && deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                var record = consumer.Consume(TimeSpan.FromMilliseconds(500));
                if (record is null)
                {
                    continue;
                }

                using var outcome = System.Text.Json.JsonDocument.Parse(record.Message.Value);
                switch (outcome.RootElement.GetProperty("status").GetString())
                {
                    case "delivered":
                        delivered++;
                        break;
                    case "suppressed":
                        suppressed++;
                        break;
                }
            }

            consumer.Close();
            return (delivered, suppressed);
        }

        private static string Line(FormattableString text) => text.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
