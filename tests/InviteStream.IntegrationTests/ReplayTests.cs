using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using InviteStream.Commands;
using Microsoft.Extensions.Hosting;

namespace InviteStream.IntegrationTests;

/// <summary>
/// <c>replay</c> against the live worker: the same recorded events decided live (the simulator
/// delivering) and replayed on event time give the same answer per event, <c>would_deliver</c>
/// standing for <c>delivered</c>; and the verb's file handling (gzip, bad lines, output, compare).
/// </summary>
[TestFixture]
public sealed class ReplayTests
{
    private const string Other = "b-campaign";

    [Test]
    public async Task The_same_events_decided_live_and_replayed_on_event_time_get_the_same_answer_per_event()
    {
        // Two campaigns with the guide's filters, so cooldowns and consolidated suppression both act:
        // per contact, events at 0 (b invites), 2 (both in cooldown), 4 (matches nothing), 7 (the
        // guide's invites), 12 (both in cooldown) and 18 s (b's again). Every rule's edge is a second
        // or more from an event, more than a live decision takes on a loaded machine.
        var guide = TestCampaigns.Guide(cooldownSeconds: 6);
        var other = TestCampaigns.Guide(cooldownSeconds: 10, id: Other);
        await using var harness = await PipelineHarness.StartAsync(4, guide, other);
        using var worker = harness.BuildWorker(new Dictionary<string, string?> { ["Pipeline:EmitNotEligible"] = "true" });
        await worker.StartAsync();
        var lines = new List<string>();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            var schedule = Enumerable.Range(0, 10)
                .SelectMany(c => new[] { 0, 2, 4, 7, 12, 18 }.Select(at => (At: at + (c * 0.05), Contact: $"ext:replay-{c}", Churn: at == 4 ? 0.1 : 0.9)))
                .OrderBy(e => e.At)
                .ToList();
            using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = harness.BootstrapServers, LingerMs = 0 }).Build();
            var start = TimeProvider.System.GetUtcNow();
            for (var i = 0; i < schedule.Count; i++)
            {
                var (at, contact, churn) = schedule[i];
                var due = start + TimeSpan.FromSeconds(at);
                if (due > TimeProvider.System.GetUtcNow())
                {
                    await Task.Delay(due - TimeProvider.System.GetUtcNow());
                }

                var json = TestEvents.Event($"r{i}", contact, TimeProvider.System.GetUtcNow(), churn);
                lines.Add(json);
                producer.Produce(harness.InputTopic, new Message<string, string> { Key = contact, Value = json });
                producer.Flush(TimeSpan.FromSeconds(5));
            }

            Assert.That(await harness.WaitForEveryInputDecidedAsync(TimeSpan.FromSeconds(30)), Is.Empty);
        }
        finally
        {
            await worker.StopAsync();
        }

        var live = harness.ReadOutcomes().ToDictionary(o => o.GetProperty("eventId").GetString()!, Answer);
        using var files = new ReplayFiles(guide, other);
        File.WriteAllLines(files.Input, lines);
        var (exit, _) = RunReplay(files, "--Pipeline:EmitNotEligible=true");
        Assert.That(exit, Is.Zero);
        var replayed = File.ReadAllLines(files.Output).Select(l => JsonDocument.Parse(l).RootElement).ToDictionary(o => o.GetProperty("eventId").GetString()!, Answer);

        Assert.That(live.Values.Count(a => a.Status == "delivered"), Is.GreaterThanOrEqualTo(30), "invites by both campaigns, in turn");
        Assert.That(live.Values.Count(a => a.Status == "suppressed"), Is.GreaterThanOrEqualTo(20));
        Assert.That(replayed.Keys, Is.EquivalentTo(live.Keys));
        foreach (var (eventId, answer) in live)
        {
            var expected = answer.Status == "delivered" ? answer with { Status = "would_deliver" } : answer;
            Assert.That(replayed[eventId], Is.EqualTo(expected), $"event {eventId}");
        }
    }

    [Test]
    public async Task A_topic_range_is_replayed_by_timestamp_without_committing_or_producing_to_any_live_topic()
    {
        var campaign = TestCampaigns.Guide();
        await using var harness = await PipelineHarness.StartAsync(3, campaign);
        var outputTopic = $"what-if-{harness.GroupId}";
        TestKafkas.EmbeddedBroker.CreateTopic(outputTopic, 3);

        // Three hours of recorded traffic, 30 events an hour, each record stamped with its event's time.
        var t0 = TimeProvider.System.GetUtcNow().AddHours(-3);
        var messages = Enumerable.Range(0, 90).Select(i =>
        {
            var at = t0.AddMinutes(i * 2);
            return new Message<string?, byte[]?>
            {
                Key = $"ext:t{i}",
                Value = Encoding.UTF8.GetBytes(TestEvents.Event($"t{i}", $"ext:t{i}", at, 0.9)),
                Timestamp = new Timestamp(at.UtcDateTime),
            };
        }).ToList();
        await harness.ProduceRawAsync(messages);
        var before = LiveEndOffsets(harness);

        using var files = new ReplayFiles(campaign);
        var settings = new[]
        {
            $"--Kafka:BootstrapServers={harness.BootstrapServers}",
            $"--Kafka:GroupId={harness.GroupId}",
            $"--Kafka:StatsTopic={harness.StatsTopic}",
            $"--Kafka:InputTopic={harness.InputTopic}",
            $"--Kafka:OutcomeTopic={harness.OutcomeTopic}",
            $"--Kafka:DeadLetterTopic={harness.DeadLetterTopic}",
        };
        var output = new StringWriter();
        var exit = ReplayCommand.Run(
            new ReplayArguments(null, new DirectoryInfo(files.Campaigns), new FileInfo(files.Output), null, TimeSpan.FromHours(1), settings)
            {
                Topic = harness.InputTopic,
                From = t0.AddHours(1),
                To = t0.AddHours(2),
                OutputTopic = outputTopic,
            },
            output,
            TestContext.Out);
        await TestContext.Out.WriteLineAsync(output.ToString());

        Assert.That(exit, Is.Zero);
        var replayed = File.ReadAllLines(files.Output).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var expected = harness.ReadAll(harness.InputTopic)
            .Where(r => r.Message.Timestamp.UnixTimestampMs >= t0.AddHours(1).ToUnixTimeMilliseconds() && r.Message.Timestamp.UnixTimestampMs < t0.AddHours(2).ToUnixTimeMilliseconds())
            .Select(r => $"{harness.InputTopic}:{r.Partition.Value}:{r.Offset.Value}")
            .ToList();
        Assert.Multiple(() =>
        {
            Assert.That(expected, Has.Count.EqualTo(30));
            Assert.That(replayed.Select(o => o.GetProperty("requestId").GetString()), Is.EquivalentTo(expected), "the range's records, with the live request ids");
            Assert.That(replayed.Select(o => o.GetProperty("status").GetString()), Is.All.EqualTo("would_deliver"));
            Assert.That(harness.EndOffsets(outputTopic), Is.EqualTo(30), "--output-topic");
            Assert.That(LiveEndOffsets(harness), Is.EqualTo(before), "nothing produced to the input, outcome, dead-letter or internal topics");
            Assert.That(CommittedOffsets(harness), Is.Empty, "no offset committed for the live group");
        });

        // The live outcome topic is refused.
        var refused = ReplayCommand.Run(
            new ReplayArguments(null, new DirectoryInfo(files.Campaigns), null, null, TimeSpan.FromHours(1), settings)
            {
                Topic = harness.InputTopic,
                From = t0,
                OutputTopic = harness.OutcomeTopic,
            },
            TextWriter.Null,
            TextWriter.Null);
        Assert.That(refused, Is.EqualTo(ExitCodes.InvalidConfiguration));
        Assert.That(harness.EndOffsets(harness.OutcomeTopic), Is.Zero);
    }

    private static Dictionary<string, long> LiveEndOffsets(PipelineHarness harness) =>
        Kafka.TopicPlan.For(new Kafka.KafkaOptions { GroupId = harness.GroupId }, harness.Partitions)
            .Select(t => t.Name)
            .Concat([harness.InputTopic, harness.OutcomeTopic, harness.DeadLetterTopic])
            .Distinct()
            .ToDictionary(t => t, t => SafeEndOffsets(harness, t));

    private static long SafeEndOffsets(PipelineHarness harness, string topic)
    {
        try
        {
            return harness.EndOffsets(topic);
        }
        catch (KafkaException)
        {
            return -1; // A topic the plan names but the test never created: it must stay absent.
        }
    }

    private static List<TopicPartitionOffset> CommittedOffsets(PipelineHarness harness)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = harness.BootstrapServers, GroupId = harness.GroupId }).Build();
        var partitions = Enumerable.Range(0, harness.Partitions).Select(p => new TopicPartition(harness.InputTopic, p));
        return [.. consumer.Committed(partitions, TimeSpan.FromSeconds(10)).Where(o => o.Offset != Offset.Unset)];
    }

    [Test]
    public void A_gzipped_file_with_bad_lines_is_replayed_the_same_twice_and_bad_lines_are_reported_not_fatal()
    {
        using var files = new ReplayFiles(TestCampaigns.Guide(cooldownSeconds: 60, maxInvitesPerMinute: 5));
        var t0 = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
        var lines = Enumerable.Range(0, 400).Select(i => TestEvents.Event($"g{i}", $"ext:c{i % 40}", t0.AddSeconds(i * 0.5), 0.9)).ToList();
        lines.Insert(10, "{not json");
        lines.Insert(20, "");
        lines.Insert(30, TestEvents.Event("no-contact", "", t0, 0.9));
        using (var gzip = new GZipStream(File.Create(files.Input + ".gz"), CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(string.Join('\n', lines)));
        }

        var (exit, summary) = RunReplayOf(files.Input + ".gz", files);
        var first = File.ReadAllBytes(files.Output);
        var (again, _) = RunReplayOf(files.Input + ".gz", files);

        Assert.That((exit, again), Is.EqualTo((0, 0)));
        Assert.That(File.ReadAllBytes(files.Output), Is.EqualTo(first), "byte-identical, run after run");
        var outcomes = File.ReadAllLines(files.Output).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.That(outcomes, Has.Count.EqualTo(400));

        // 40 contacts, one invite each per minute at most, five a minute for the campaign: 200 s of events.
        var delivered = outcomes.Where(o => o.GetProperty("status").GetString() == "would_deliver").ToList();
        Assert.That(delivered.Count, Is.InRange(15, 20), "five a minute over 200 s of event time");
        Assert.That(summary, Does.Contain("bad record: invalid_json x1").And.Contain("bad record: missing_contact_id x1"));
        Assert.That(outcomes.Select(o => o.GetProperty("requestId").GetString()), Is.Unique);
    }

    [Test]
    public void Compare_reports_the_invites_a_second_campaign_set_gains_and_loses()
    {
        var strict = TestCampaigns.Guide(cooldownSeconds: 600);
        var loose = TestCampaigns.Guide(cooldownSeconds: 60);
        using var files = new ReplayFiles(strict);
        using var looser = new ReplayFiles(loose);
        var t0 = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

        // One contact, an event every 100 s for 1 000 s: the 600 s cooldown invites at 0 and 600, the 60 s one every time.
        File.WriteAllLines(files.Input, Enumerable.Range(0, 10).Select(i => TestEvents.Event($"k{i}", "ext:k", t0.AddSeconds(i * 100), 0.9)));

        var (exit, summary) = RunReplay(files, "--compare", looser.Campaigns);

        Assert.That(exit, Is.Zero);
        Assert.That(summary, Does.Contain("8 event(s) decided differently, 1 contact(s) affected"));
        Assert.That(summary, Does.Contain($"{TestCampaigns.GuideCampaignId}  8  0"));
    }

    [Test]
    public async Task The_report_of_a_compared_replay_opens_in_a_browser_with_both_runs_charted()
    {
        using var files = new ReplayFiles(TestCampaigns.Guide(cooldownSeconds: 120, maxInvitesPerMinute: 6));
        using var raised = new ReplayFiles(TestCampaigns.Guide(cooldownSeconds: 120, maxInvitesPerMinute: 12));
        var t0 = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

        // Half an hour: 300 contacts, an event a second; a fifth lack the dwell time (a filter failure of kind missing).
        var random = new Random(5);
        File.WriteAllLines(files.Input, Enumerable.Range(0, 1800).Select(i =>
            TestEvents.Event($"p{i}", $"ext:p{random.Next(300)}", t0.AddSeconds(i), random.NextDouble(), dwell: random.Next(5) == 0 ? null : 40 + random.Next(40))));
        var report = Path.Combine(Path.GetDirectoryName(files.Output)!, "report.html");

        var output = new StringWriter();
        var exit = ReplayCommand.Run(
            new ReplayArguments(files.Input, new DirectoryInfo(files.Campaigns), null, new DirectoryInfo(raised.Campaigns), TimeSpan.FromHours(1), [])
            {
                Report = new FileInfo(report),
            },
            output,
            TestContext.Out);

        Assert.That(exit, Is.Zero, output.ToString());
        using var chromium = new HeadlessChromium();
        var dom = await chromium.DumpDomAsync(report);
        Assert.Multiple(() =>
        {
            Assert.That(Regex.Count(dom, "<svg"), Is.GreaterThanOrEqualTo(8), "each chart for both runs");
            Assert.That(dom, Does.Contain("campaigns on events.jsonl"), "the baseline's title");
            Assert.That(dom, Does.Contain(TestCampaigns.GuideCampaignId));
            Assert.That(dom, Does.Contain("session.dwell_time_seconds"), "the missing attribute among the filter failures");
            Assert.That(Regex.Count(dom, "<(rect|path|polyline)"), Is.GreaterThan(100), "charts carrying data");
        });
    }

    private static (string Status, string? Reason, string? CampaignId) Answer(JsonElement outcome) =>
        (outcome.GetProperty("status").GetString()!, outcome.GetProperty("reason").GetString(), outcome.GetProperty("campaignId").GetString());

    private static (int Exit, string Summary) RunReplay(ReplayFiles files, params string[] more) => RunReplayOf(files.Input, files, more);

    private static (int Exit, string Summary) RunReplayOf(string input, ReplayFiles files, params string[] more)
    {
        var compare = Array.IndexOf(more, "--compare");
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = ReplayCommand.Run(
            new ReplayArguments(
                input,
                new DirectoryInfo(files.Campaigns),
                new FileInfo(files.Output),
                compare < 0 ? null : new DirectoryInfo(more[compare + 1]),
                TimeSpan.FromHours(1),
                [.. more.Where((_, i) => compare < 0 || (i != compare && i != compare + 1))]),
            output,
            error);
        TestContext.Out.WriteLine(output.ToString());
        TestContext.Out.WriteLine(error.ToString());
        return (exit, output.ToString());
    }

    /// <summary>A folder of campaign files, an input file and an output file, deleted afterwards.</summary>
    private sealed class ReplayFiles : IDisposable
    {
        private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("invitestream-replay-");

        public ReplayFiles(params string[] campaignJson)
        {
            Directory.CreateDirectory(Campaigns);
            for (var i = 0; i < campaignJson.Length; i++)
            {
                File.WriteAllText(Path.Combine(Campaigns, $"campaign-{i}.json"), campaignJson[i]);
            }
        }

        public string Campaigns => Path.Combine(_root.FullName, "campaigns");

        public string Input => Path.Combine(_root.FullName, "events.jsonl");

        public string Output => Path.Combine(_root.FullName, "outcomes.jsonl");

        public void Dispose() => _root.Delete(recursive: true);
    }
}
