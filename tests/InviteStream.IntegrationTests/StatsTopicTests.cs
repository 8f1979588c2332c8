using System.Text.Json;
using Confluent.Kafka;
using InviteStream.Commands;
using InviteStream.Kafka.Serialization;
using Microsoft.Extensions.Hosting;

namespace InviteStream.IntegrationTests;

/// <summary>
/// The live <c>invite-stats</c> topic against two oracles: the outcome topic (outcomes by campaign,
/// minute of event time and status must add up to the same numbers) and the test's own record of
/// what it sent (events per minute, and which filter each non-matching event fails). Two workers
/// share the partitions, late events update published minutes, one worker leaves and a fresh one
/// restarts from the topic, and <c>report</c> draws the totals.
/// </summary>
[TestFixture]
public sealed class StatsTopicTests
{
    private const string Churn = "external.churn_probability";
    private const string Dwell = "session.dwell_time_seconds";

    private readonly Dictionary<(DateTimeOffset Minute, string Attribute, string Kind), long> _sentFailures = [];
    private readonly Dictionary<DateTimeOffset, (long Evaluated, long Matched)> _sentEvents = [];
    private int _sequence;

    [Test]
    public async Task Per_minute_statistics_add_up_to_the_outcome_topic_through_late_events_a_handover_and_a_restart()
    {
        await using var harness = await PipelineHarness.StartAsync(4, TestCampaigns.Guide(cooldownSeconds: 3600));
        var settings = new Dictionary<string, string?>
        {
            // Minutes a few minutes old are decided normally and close at once: no waiting for a minute to end.
            ["Pipeline:MaxEventAge"] = "00:30:00",
            ["Pipeline:MaxInviteDelay"] = "01:00:00",
            ["Pipeline:StatsGrace"] = "00:00:01",

            // Every event gets an outcome (so the harness sees it decided); those about no campaign count under the empty id.
            ["Pipeline:EmitNotEligible"] = "true",
        };
        var now = TimeProvider.System.GetUtcNow();
        var minutes = Enumerable.Range(2, 4).Select(m => Floor(now.AddMinutes(-m))).Order().ToList();

        var first = harness.BuildWorker(settings);
        var second = harness.BuildWorker(settings);
        IHost? restarted = null;
        try
        {
            await Task.WhenAll(first.StartAsync(), second.StartAsync());
            await harness.ProduceAsync(Events(minutes[..3], perMinute: 60));
            await TotalsMatchAsync(harness, "two workers");

            // A handover, then late events of minutes already published and a new minute.
            await second.StopAsync();
            await harness.ProduceAsync(Events(minutes, perMinute: 25));
            await TotalsMatchAsync(harness, "late events after a handover");
            Assert.That(LatestStats(harness).Values.Max(s => s.Revision), Is.GreaterThanOrEqualTo(2), "a late event updates a published minute");

            // A fresh worker restores the totals (and which partials they hold) from the topic.
            await first.StopAsync();
            restarted = harness.BuildWorker(settings);
            await restarted.StartAsync();
            await harness.ProduceAsync(Events(minutes, perMinute: 15));
            await TotalsMatchAsync(harness, "after a restart");

            // A record that is not a statistics record is left out of the report, and the report says so.
            await harness.ProduceRawAsync([new Message<string?, byte[]?> { Key = $"not-a-campaign@{minutes[0]:yyyy-MM-ddTHH:mm}Z", Value = "{\"windowStart\": 7}"u8.ToArray() }], harness.StatsTopic);

            using var folder = new CampaignFolder(TestCampaigns.Guide(cooldownSeconds: 3600));
            var report = new FileInfo(Path.Combine(Path.GetTempPath(), $"invitestream-stats-{Guid.NewGuid():N}.html"));
            var console = new StringWriter();
            var exit = ReportCommand.Run(
                new ReportArguments(minutes[0], minutes[^1].AddMinutes(1), report, new DirectoryInfo(folder.Path), [$"--Kafka:BootstrapServers={harness.BootstrapServers}", $"--Kafka:StatsTopic={harness.StatsTopic}"]),
                console,
                console);
            Assert.That(exit, Is.Zero, console.ToString());
            var page = await File.ReadAllTextAsync(report.FullName);
            report.Delete();
            var delivered = harness.ReadOutcomes().Count(o => o.GetProperty("status").GetString() == "delivered");
            Assert.Multiple(() =>
            {
                Assert.That(console.ToString(), Does.Contain($"{2 * minutes.Count} campaign-minutes from {harness.StatsTopic}"), "the guide campaign's minutes and those of outcomes about no campaign");
                Assert.That(console.ToString(), Does.Contain($"warning: 1 record(s) of {harness.StatsTopic} could not be read"), "the unreadable record is reported");
                Assert.That(page, Does.Contain("<svg"), "charts drawn");
                Assert.That(page, Does.Contain(Dwell), "the filter failures");
                Assert.That(page, Does.Contain($">{delivered:N0}<"), "the invites tile shows the delivered outcomes");
            });
        }
        finally
        {
            foreach (var host in new[] { first, second, restarted })
            {
                if (host is not null)
                {
                    await host.StopAsync();
                    host.Dispose();
                }
            }
        }
    }

    private static DateTimeOffset Floor(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);

    // Per minute: a fifth of the events send churn as a string, a fifth lack dwell time, a fifth have
    // too low a churn, the rest match (a contact's first match is invited, later ones are in cooldown).
    private List<(string? Key, string Value)> Events(IReadOnlyList<DateTimeOffset> minutes, int perMinute)
    {
        var events = new List<(string? Key, string Value)>();
        foreach (var minute in minutes)
        {
            for (var i = 0; i < perMinute; i++)
            {
                var n = _sequence++;
                var contact = $"ext:stats-{n % 37}";
                var at = minute.AddSeconds(n % 60).AddMilliseconds(n % 1000);
                (object Churn, int? Dwell, (string Attribute, string Kind)? Failure) shape = (n % 5) switch
                {
                    0 => ("0.9", 52, (Churn, "type_mismatch")),
                    1 => (0.9, null, (Dwell, "missing")),
                    2 => (0.3, 52, (Churn, "not_matched")),
                    _ => (0.9, 52, null),
                };
                var (churn, dwell, failure) = shape;
                events.Add((contact, TestEvents.Event($"stats-{n}", contact, at, churn, dwell)));
                var (evaluated, matched) = _sentEvents.GetValueOrDefault(minute);
                _sentEvents[minute] = (evaluated + 1, matched + (failure is null ? 1 : 0));
                if (failure is { } f)
                {
                    _sentFailures[(minute, f.Attribute, f.Kind)] = _sentFailures.GetValueOrDefault((minute, f.Attribute, f.Kind)) + 1;
                }
            }
        }

        return events;
    }

    private async Task TotalsMatchAsync(PipelineHarness harness, string when)
    {
        Assert.That(await harness.WaitForEveryInputDecidedAsync(TimeSpan.FromSeconds(60)), Is.Empty, when);
        string difference = "";
        var waiting = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(waiting) < TimeSpan.FromSeconds(30))
        {
            difference = Difference(harness);
            if (difference.Length == 0)
            {
                return;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"{when}: the stats topic does not add up: {difference}");
    }

    private string Difference(PipelineHarness harness)
    {
        var all = LatestStats(harness).Values.ToList();
        var fromStats = all.SelectMany(s => s.Counts.Outcomes.Select(o => $"{s.Window.CampaignId}@{s.Window.Minute:HH:mm} {o.Key}={o.Value}")).Order().ToList();
        var fromOutcomes = harness.ReadOutcomes()
            .GroupBy(o => (Campaign: o.GetProperty("campaignId").GetString() ?? "", Minute: Floor(o.GetProperty("occurredAt").GetDateTimeOffset()), Status: o.GetProperty("status").GetString()))
            .Select(g => $"{g.Key.Campaign}@{g.Key.Minute:HH:mm} {g.Key.Status}={g.Count()}")
            .Order()
            .ToList();
        if (!fromStats.SequenceEqual(fromOutcomes))
        {
            return $"outcomes [{string.Join(", ", fromStats)}] vs the outcome topic's [{string.Join(", ", fromOutcomes)}]";
        }

        var stats = all.Where(s => s.Window.CampaignId == TestCampaigns.GuideCampaignId).ToList();
        var evaluated = stats.Select(s => $"{s.Window.Minute:HH:mm} {s.Counts.EventsEvaluated}/{s.Counts.EventsMatched}").Order();
        var sent = _sentEvents.Select(e => $"{e.Key:HH:mm} {e.Value.Evaluated}/{e.Value.Matched}").Order();
        if (!evaluated.SequenceEqual(sent))
        {
            return $"evaluated/matched [{string.Join(", ", evaluated)}] vs sent [{string.Join(", ", sent)}]";
        }

        var failures = stats.SelectMany(s => s.Counts.FilterResults.Select(f => $"{s.Window.Minute:HH:mm} {f.Key.Attribute} {f.Key.Kind}={f.Value}")).Order();
        var sentFailures = _sentFailures.Select(f => $"{f.Key.Minute:HH:mm} {f.Key.Attribute} {f.Key.Kind}={f.Value}").Order();
        return failures.SequenceEqual(sentFailures) ? "" : $"filter results [{string.Join(", ", failures)}] vs sent [{string.Join(", ", sentFailures)}]";
    }

    private static Dictionary<string, StatsRecord> LatestStats(PipelineHarness harness)
    {
        var latest = new Dictionary<string, StatsRecord>(StringComparer.Ordinal);
        foreach (var record in harness.ReadAll(harness.StatsTopic))
        {
            latest[record.Message.Key!] = StatsJson.Read(record.Message.Value) ?? throw new InvalidOperationException($"unreadable stats record {record.Message.Key}");
        }

        return latest;
    }
}
