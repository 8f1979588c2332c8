using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using InviteStream.Commands;
using InviteStream.Kafka.Embedded;

namespace InviteStream.Benchmarks;

/// <summary>
/// <c>replay</c> end to end, as the command runs: from a file (events/s, against the 300 000/s
/// target) and from a topic of the embedded broker against a raw assign-and-consume loop over the
/// same records in the same run (ratio against the 0.70 target). Rounds alternate and the median is
/// reported: this machine's noise hits both sides alike.
/// </summary>
internal static class ReplayThroughput
{
    private const int Partitions = 12;
    private const int Rounds = 3;
    private const int Contacts = 50_000;

    public static async Task RunAsync(int fileEvents, int topicEvents)
    {
        var folder = Directory.CreateTempSubdirectory("invitestream-replay-bench-");
        try
        {
            var campaigns = Directory.CreateDirectory(Path.Combine(folder.FullName, "campaigns"));
            await File.WriteAllTextAsync(Path.Combine(campaigns.FullName, "guide.json"), BenchmarkData.GuideCampaign);
            var input = Path.Combine(folder.FullName, "events.jsonl");
            await File.WriteAllLinesAsync(input, Events(fileEvents, DateTimeOffset.UnixEpoch.AddYears(56)));

            var fileRates = new List<double>();
            for (var round = 0; round < Rounds; round++)
            {
                fileRates.Add(Replay(new ReplayArguments(input, campaigns, null, null, TimeSpan.FromHours(1), []), fileEvents));
                Console.Error.WriteLine(Line($"# round {round}: file {fileRates[^1]:F0}/s"));
            }

            // The embedded broker trims each partition's log at about 5 MB: ~250 bytes a record, 12 partitions.
            using var cluster = EmbeddedKafkaCluster.Start(brokerCount: 1);
            var raws = new List<double>();
            var topics = new List<double>();
            for (var round = 0; round < Rounds; round++)
            {
                var topic = $"replay-bench-{round}";
                cluster.CreateTopic(topic, Partitions);
                var from = TimeProvider.System.GetUtcNow().AddHours(-2);
                Produce(cluster, topic, Events(topicEvents, from));
                raws.Add(RawConsume(cluster, topic, topicEvents));
                topics.Add(Replay(
                    new ReplayArguments(null, campaigns, null, null, TimeSpan.FromHours(1), [$"--Kafka:BootstrapServers={cluster.BootstrapServers}"])
                    {
                        Topic = topic,
                        From = from.AddMinutes(-1),
                    },
                    topicEvents));
                Console.Error.WriteLine(Line($"# round {round}: raw consume {raws[^1]:F0}/s, replay --topic {topics[^1]:F0}/s"));
            }

            Console.WriteLine(Line($"file_events={fileEvents} topic_events={topicEvents} partitions={Partitions} rounds={Rounds}"));
            Console.WriteLine(Line($"replay_file_events_per_s={Median(fileRates):F0} (target >= 300000)"));
            Console.WriteLine(Line($"raw_consume_msgs_per_s={Median(raws):F0}"));
            Console.WriteLine(Line($"replay_topic_events_per_s={Median(topics):F0}"));
            Console.WriteLine(Line($"ratio_replay_topic={Median([.. raws.Zip(topics, (r, t) => t / r)]):F2} (target >= 0.70)"));
            Console.WriteLine(Line($"peak_working_set_mb={Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0):F0}"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    // The replay command itself, timed from start to summary.
    private static double Replay(ReplayArguments arguments, int events)
    {
        var clock = Stopwatch.StartNew();
        var exit = ReplayCommand.Run(arguments, TextWriter.Null, Console.Error);
        if (exit != 0)
        {
            throw new InvalidOperationException($"replay exited with {exit}");
        }

        return events / clock.Elapsed.TotalSeconds;
    }

    private static double RawConsume(EmbeddedKafkaCluster cluster, string topic, int events)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            GroupId = $"{topic}-raw",
            EnableAutoCommit = false,
            EnablePartitionEof = true,
            FetchWaitMaxMs = 10,
            FetchQueueBackoffMs = 10,
        }).Build();
        var clock = Stopwatch.StartNew();
        consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var read = 0;
        var ended = 0;
        while (ended < Partitions)
        {
            var record = consumer.Consume(TimeSpan.FromSeconds(10)) ?? throw new TimeoutException("the raw loop stalled");
            if (record.IsPartitionEOF)
            {
                ended++;
                continue;
            }

            read += record.Message.Value?.Length > 0 ? 1 : 0;
        }

        if (read != events)
        {
            throw new InvalidOperationException($"the raw loop read {read} of {events} records (the broker trimmed the log?)");
        }

        return events / clock.Elapsed.TotalSeconds;
    }

    private static void Produce(EmbeddedKafkaCluster cluster, string topic, IEnumerable<string> lines)
    {
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            LingerMs = 20,
            BatchNumMessages = 10_000,
            Partitioner = Partitioner.Murmur2Random,
        }).Build();
        foreach (var line in lines)
        {
            var contact = line[(line.IndexOf("\"contactId\":\"", StringComparison.Ordinal) + 13)..];
            producer.Produce(topic, new Message<string, byte[]> { Key = contact[..contact.IndexOf('"', StringComparison.Ordinal)], Value = Encoding.UTF8.GetBytes(line) });
        }

        producer.Flush(TimeSpan.FromSeconds(60));
    }

    // 20 events a second of event time over 50 000 contacts; about one in eight matches the guide campaign.
    private static IEnumerable<string> Events(int count, DateTimeOffset start)
    {
        var random = new Random(7);
        for (var i = 0; i < count; i++)
        {
            var at = start.AddMilliseconds(i * 50.0);
            var churn = random.NextDouble();
            var dwell = random.Next(100);
            var authenticated = random.Next(10) < 7 ? "true" : "false";
            var contact = random.Next(Contacts);
            yield return Line($"{{\"eventId\":\"e{i}\",\"contactId\":\"ext:c{contact}\",\"channelId\":\"webchat:primary_embed\",\"occurredAt\":\"{at.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}\",")
                + Line($"\"attributes\":{{\"external.churn_probability\":{churn:F4},\"session.dwell_time_seconds\":{dwell},\"contact.is_authenticated\":{authenticated},\"browser.locale\":\"en-US\"}}}}");
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static string Line(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
