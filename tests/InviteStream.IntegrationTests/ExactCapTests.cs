using System.Text;
using Confluent.Kafka;
using InviteStream.Kafka.Pipeline;
using InviteStream.Kafka.Serialization;
using Microsoft.Extensions.Hosting;

namespace InviteStream.IntegrationTests;

/// <summary>
/// Campaign caps hold across replicas, checked at the engine: the simulator's ledger of receive times
/// is counted in sliding windows (<see cref="TriggerWindows"/>) while several workers share one
/// broker, under skewed demand, through a SIGKILL and restart, through graceful leaves and joins,
/// with more replicas than the cap, and on the real 60 s window. Every run also checks the outcome
/// topic: every input has an outcome, and no event has two outcomes that disagree.
/// </summary>
[TestFixture]
public sealed class ExactCapTests
{
    private const int Partitions = 6;
    private const int Cap = 20;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(4);

    // Grants are paced, so a saturated window holds the cap or one less, and each permit is held for
    // its round trip — grant record, HTTP call — since the engine may receive the request any time
    // before the answer. Three workers, the broker and the simulator on two cores make that round
    // trip 100–300 ms at times, which a 4 s window feels fifteen times more than a 60 s one, and one
    // scheduling pause of the loaded machine empties a second of a single window (15 of 20 seen once
    // in CI, and 16 on average over the 9 s before the kill). So a saturated stretch is held to 80 %
    // of the cap on average, and its quietest single window to half of it, which a stalled or
    // leaking limiter misses; the real-window test holds 95 % of the cap in every minute.
    private const double SaturatedAverageAtLeast = 0.8 * Cap;
    private const int QuietestAtLeast = Cap / 2;

    [Test]
    public async Task Three_worker_processes_under_skewed_demand_one_killed_and_restarted_never_exceed_the_cap_in_any_window()
    {
        await using var harness = await PipelineHarness.StartAsync(Partitions, TimeSpan.FromMilliseconds(2), TestCampaigns.Guide(maxInvitesPerMinute: Cap));
        using var campaigns = new CampaignFolder(TestCampaigns.Guide(maxInvitesPerMinute: Cap));
        var arguments = WorkerArguments(harness, campaigns.Path);
        var workers = Enumerable.Range(0, 3).Select(_ => WorkerProcess.Start(arguments)).ToList();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(8)); // The three join and settle their assignments.
            using var demand = new Demand(harness, SkewedContacts(homes: [0, 1]));
            var started = TimeProvider.System.GetUtcNow();
            var running = demand.RunAsync(perSecond: 16, TimeSpan.FromSeconds(34));

            await Task.Delay(TimeSpan.FromSeconds(17));
            var killedAt = TimeProvider.System.GetUtcNow();
            workers[0].Kill();
            workers.Add(WorkerProcess.Start(arguments));
            await running;

            var missing = await harness.WaitForEveryInputDecidedAsync(TimeSpan.FromSeconds(90));
            Assert.That(missing, Is.Empty, string.Join(Environment.NewLine, workers.Select(w => w.Output)));

            var windows = new TriggerWindows(harness.Simulator.State.Received, TestCampaigns.GuideCampaignId, Window);
            var busiest = windows.Busiest();
            var quietest = windows.Quietest(started + (2 * Window), killedAt - Window);
            var average = windows.PerWindow(started + (2 * Window), killedAt);
            await TestContext.Progress.WriteLineAsync(
                $"skewed + SIGKILL: {windows.Count} invites; busiest window {busiest.Count} at {busiest.Start:HH:mm:ss.fff}; before the kill {average:F1} per window, quietest {quietest.Count} (cap {Cap})");
            Assert.Multiple(() =>
            {
                Assert.That(busiest.Count, Is.LessThanOrEqualTo(Cap), $"the window from {busiest.Start:HH:mm:ss.fff}");
                Assert.That(average, Is.GreaterThanOrEqualTo(SaturatedAverageAtLeast), "the saturated stretch before the kill");
                Assert.That(quietest.Count, Is.GreaterThanOrEqualTo(QuietestAtLeast), $"the saturated window from {quietest.Start:HH:mm:ss.fff}: {windows.Describe(quietest.Start)}");
                OutcomeChecks.OneAnswerPerInput(harness, duplicatesAllowed: true);
            });
        }
        finally
        {
            await StopAllAsync(workers);
        }
    }

    [Test]
    public async Task Worker_processes_leaving_and_joining_gracefully_keep_the_cap_and_answer_every_event_exactly_once()
    {
        await using var harness = await PipelineHarness.StartAsync(Partitions, TimeSpan.FromMilliseconds(2), TestCampaigns.Guide(maxInvitesPerMinute: Cap));
        using var campaigns = new CampaignFolder(TestCampaigns.Guide(maxInvitesPerMinute: Cap));

        // KIP-848: the embedded broker's classic rebalances take rounds of a session timeout each,
        // which would leave no steady stretch between the handovers of a one-minute test.
        var arguments = WorkerArguments(harness, campaigns.Path, "--Kafka:GroupProtocol=Consumer");
        var workers = Enumerable.Range(0, 3).Select(_ => WorkerProcess.Start(arguments)).ToList();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(8));
            using var demand = new Demand(harness, SkewedContacts(homes: [0, 1, 2, 3, 4, 5]));
            var started = TimeProvider.System.GetUtcNow();
            var running = demand.RunAsync(perSecond: 16, TimeSpan.FromSeconds(48));

            await Task.Delay(TimeSpan.FromSeconds(14));
            var leftAt = TimeProvider.System.GetUtcNow();
            Assert.That(await workers[0].TerminateAsync(TimeSpan.FromSeconds(60)), Is.True, "the leaving worker drains and exits");
            Assert.That(workers[0].ExitCode, Is.Zero, workers[0].Output);

            await Task.Delay(TimeSpan.FromSeconds(14));
            var joinedAt = TimeProvider.System.GetUtcNow();
            workers.Add(WorkerProcess.Start(arguments));
            await running;
            var ended = TimeProvider.System.GetUtcNow();

            var missing = await harness.WaitForEveryInputDecidedAsync(TimeSpan.FromSeconds(90));
            Assert.That(missing, Is.Empty, string.Join(Environment.NewLine, workers.Select(w => w.Output)));

            var windows = new TriggerWindows(harness.Simulator.State.Received, TestCampaigns.GuideCampaignId, Window);
            var busiest = windows.Busiest();

            // Away from the handovers (a moving campaign waits for its rebalance and the grant restore).
            var steady = new[]
            {
                (From: started + (2 * Window), To: leftAt),
                (From: leftAt + TimeSpan.FromSeconds(8), To: joinedAt),
                (From: joinedAt + TimeSpan.FromSeconds(8), To: ended),
            }.Select(s => (Average: windows.PerWindow(s.From, s.To), Quietest: windows.Quietest(s.From, s.To - Window))).ToList();
            await TestContext.Progress.WriteLineAsync(
                $"leave + join: {windows.Count} invites; busiest window {busiest.Count}; steady stretches {string.Join(", ", steady.Select(s => $"{s.Average:F1} per window, quietest {s.Quietest.Count}"))} (cap {Cap})");
            Assert.Multiple(() =>
            {
                Assert.That(busiest.Count, Is.LessThanOrEqualTo(Cap), $"the window from {busiest.Start:HH:mm:ss.fff}");
                foreach (var (average, quietest) in steady)
                {
                    Assert.That(average, Is.GreaterThanOrEqualTo(SaturatedAverageAtLeast), "a steady stretch");
                    Assert.That(quietest.Count, Is.GreaterThanOrEqualTo(QuietestAtLeast), $"the saturated window from {quietest.Start:HH:mm:ss.fff}: {windows.Describe(quietest.Start)}");
                }

                OutcomeChecks.OneAnswerPerInput(harness, duplicatesAllowed: false);
            });
        }
        finally
        {
            await StopAllAsync(workers);
        }
    }

    [Test]
    public async Task Thirteen_replicas_against_a_cap_of_five_send_at_most_five_in_any_window()
    {
        const int SmallCap = 5;
        const int Replicas = 13;
        var window = TimeSpan.FromSeconds(3);
        await using var harness = await PipelineHarness.StartAsync(16, TimeSpan.FromMilliseconds(2), TestCampaigns.Guide(maxInvitesPerMinute: SmallCap));
        var settings = new Dictionary<string, string?> { ["Pipeline:CampaignRateWindow"] = "00:00:03" };
        var replicas = Enumerable.Range(0, Replicas).Select(_ => harness.BuildWorker(settings)).ToList();
        try
        {
            await Task.WhenAll(replicas.Select(r => r.StartAsync()));
            await Task.Delay(TimeSpan.FromSeconds(5));
            using var demand = new Demand(harness, SkewedContacts(homes: [.. Enumerable.Range(0, 16)], partitions: 16));
            var started = TimeProvider.System.GetUtcNow();
            await demand.RunAsync(perSecond: 10, TimeSpan.FromSeconds(20));
            var ended = TimeProvider.System.GetUtcNow();
            var missing = await harness.WaitForEveryInputDecidedAsync(TimeSpan.FromSeconds(60));
            Assert.That(missing, Is.Empty);

            var windows = new TriggerWindows(harness.Simulator.State.Received, TestCampaigns.GuideCampaignId, window);
            var busiest = windows.Busiest();
            var quietest = windows.Quietest(started + (2 * window), ended - window);
            await TestContext.Progress.WriteLineAsync($"13 replicas: {windows.Count} invites; busiest window {busiest.Count}; quietest {quietest.Count} (cap {SmallCap})");
            Assert.Multiple(() =>
            {
                Assert.That(busiest.Count, Is.LessThanOrEqualTo(SmallCap), $"the window from {busiest.Start:HH:mm:ss.fff}");
                Assert.That(quietest.Count, Is.GreaterThanOrEqualTo(SmallCap - 2), "paced, each permit held for its round trip: in a 3 s window the cap, or one or two less");
                OutcomeChecks.OneAnswerPerInput(harness, duplicatesAllowed: false);
            });
        }
        finally
        {
            await Task.WhenAll(replicas.Select(r => r.StopAsync()));
            replicas.ForEach(r => r.Dispose());
        }
    }

    [Test]
    public async Task On_the_real_sixty_second_window_two_replicas_use_the_cap_and_never_exceed_it()
    {
        const int MinuteCap = 30;
        var minute = TimeSpan.FromMinutes(1);
        await using var harness = await PipelineHarness.StartAsync(Partitions, TimeSpan.FromMilliseconds(2), TestCampaigns.Guide(maxInvitesPerMinute: MinuteCap));
        var replicas = Enumerable.Range(0, 2).Select(_ => harness.BuildWorker()).ToList();
        try
        {
            await Task.WhenAll(replicas.Select(r => r.StartAsync()));
            await Task.Delay(TimeSpan.FromSeconds(3));
            // All demand on two of six partitions: the campaign's owner holds its whole cap, so the skew must not show.
            using var demand = new Demand(harness, SkewedContacts(homes: [0, 1]));
            var started = TimeProvider.System.GetUtcNow();
            await demand.RunAsync(perSecond: 2, TimeSpan.FromSeconds(125));
            var ended = TimeProvider.System.GetUtcNow();
            Assert.That(await harness.WaitForEveryInputDecidedAsync(TimeSpan.FromSeconds(60)), Is.Empty);

            var windows = new TriggerWindows(harness.Simulator.State.Received, TestCampaigns.GuideCampaignId, minute);
            var busiest = windows.Busiest();
            var quietest = windows.Quietest(started + TimeSpan.FromSeconds(5), ended - minute);
            await TestContext.Progress.WriteLineAsync($"60 s window: {windows.Count} invites; busiest minute {busiest.Count}; quietest {quietest.Count} (cap {MinuteCap})");
            if (quietest.Count < MinuteCap - 1)
            {
                // For finding why a paced slot went unused: each grant's time, answer and engine receive time.
                await TestContext.Progress.WriteLineAsync(
                    $"grants around the quietest minute: {GrantTimeline(harness, windows, quietest.Start - (minute / MinuteCap * 2), quietest.Start + minute + (minute / MinuteCap))}");
            }

            Assert.Multiple(() =>
            {
                Assert.That(busiest.Count, Is.LessThanOrEqualTo(MinuteCap), $"the minute from {busiest.Start:HH:mm:ss.fff}");
                // 95 %, rounded up: a window that starts just after a grant holds 29 paced slots once
                // answer times have moved the grid a few ms. (A lost slot used to be an invite granted
                // so near its deadline that the deadline cut its request off: Pipeline:MinTimeToSend.)
                Assert.That(quietest.Count, Is.GreaterThanOrEqualTo((int)Math.Ceiling(0.95 * MinuteCap)), $"the saturated minute from {quietest.Start:HH:mm:ss.fff}: {windows.Describe(quietest.Start)}");
                OutcomeChecks.OneAnswerPerInput(harness, duplicatesAllowed: false);
            });
        }
        finally
        {
            await Task.WhenAll(replicas.Select(r => r.StopAsync()));
            replicas.ForEach(r => r.Dispose());
        }
    }

    // Every grant the grant log recorded between `from` and `to`: when it was granted, how long after
    // the grant it was answered, and when the engine received it (or that it never did).
    private static string GrantTimeline(PipelineHarness harness, TriggerWindows windows, DateTimeOffset from, DateTimeOffset to)
    {
        var granted = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var answered = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var record in harness.ReadAll($"{harness.GroupId}.grants"))
        {
            foreach (var grant in GrantJson.Read(record.Message.Value))
            {
                if (grant.Answered)
                {
                    answered[grant.RequestId] = grant.At;
                }
                else
                {
                    granted.TryAdd(grant.RequestId, grant.At);
                }
            }
        }

        return string.Join("; ", granted
            .Where(g => g.Value >= from && g.Value <= to)
            .OrderBy(g => g.Value)
            .Select(g => $"{g.Value:HH:mm:ss.fff} {g.Key}"
                + (answered.TryGetValue(g.Key, out var at) ? $" answered +{(at - g.Value).TotalMilliseconds:F0} ms" : " never answered")
                + (windows.FirstReceived.TryGetValue(g.Key, out var received) ? $" received +{(received - g.Value).TotalMilliseconds:F0} ms" : " not received")));
    }

    private static string[] WorkerArguments(PipelineHarness harness, string campaigns, params string[] more) =>
    [
        .. more,
        "--campaigns", campaigns,
        $"--Kafka:BootstrapServers={harness.BootstrapServers}",
        $"--Kafka:GroupId={harness.GroupId}",
        $"--Kafka:StatsTopic={harness.StatsTopic}",
        $"--Kafka:InputTopic={harness.InputTopic}",
        $"--Kafka:OutcomeTopic={harness.OutcomeTopic}",
        $"--Kafka:DeadLetterTopic={harness.DeadLetterTopic}",
        $"--Engagement:BaseUrl={harness.Simulator.BaseUrl}",
        "--Engagement:ClientId=tests",
        "--Engagement:ClientSecret=s3cr3t-for-tests",
        "--Engagement:ApiRequestsPerMinute=1000000",
        $"--Pipeline:CampaignRateWindow={Window:c}",
        "--Logging:LogLevel:Default=Warning",
        "--Health:Host=127.0.0.1",
        "--Health:Port=0",
    ];

    private static async Task StopAllAsync(List<WorkerProcess> workers)
    {
        await Task.WhenAll(workers.Where(w => !w.HasExited).Select(w => w.TerminateAsync(TimeSpan.FromSeconds(60))));
        workers.ForEach(w => w.Dispose());
    }

    // New contacts whose home partition (Kafka's murmur2 of the contactId) is one of `homes`: all the
    // demand lands on the partitions of one or two replicas.
    private static IEnumerable<string> SkewedContacts(int[] homes, int partitions = Partitions)
    {
        var run = Guid.NewGuid().ToString("N")[..6];
        for (var i = 0; ; i++)
        {
            var contact = $"ext:{run}-{i}";
            if (homes.Contains((ContactPartitioner.Murmur2(Encoding.UTF8.GetBytes(contact)) & 0x7fffffff) % partitions))
            {
                yield return contact;
            }
        }
    }

    /// <summary>Matching events of new contacts at a steady rate, each keyed by its contact.</summary>
    private sealed class Demand(PipelineHarness harness, IEnumerable<string> contacts) : IDisposable
    {
        private readonly IEnumerator<string> _contacts = contacts.GetEnumerator();
        private readonly IProducer<string, string> _producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = harness.BootstrapServers,
            LingerMs = 2,
            Partitioner = Partitioner.Murmur2Random,
        }).Build();

        public async Task RunAsync(int perSecond, TimeSpan duration)
        {
            var tick = TimeSpan.FromMilliseconds(250);
            var perTick = Math.Max(1, (int)(perSecond * tick.TotalSeconds));
            var end = TimeProvider.System.GetUtcNow() + duration;
            var sent = 0;
            while (TimeProvider.System.GetUtcNow() < end)
            {
                for (var i = 0; i < perTick; i++)
                {
                    _contacts.MoveNext();
                    var contact = _contacts.Current;
                    _producer.Produce(harness.InputTopic, new Message<string, string>
                    {
                        Key = contact,
                        Value = TestEvents.Event($"d{sent++}", contact, TimeProvider.System.GetUtcNow(), churn: 0.9),
                    });
                }

                await Task.Delay(tick);
            }

            _producer.Flush(TimeSpan.FromSeconds(30));
        }

        public void Dispose()
        {
            _producer.Dispose();
            _contacts.Dispose();
        }
    }
}
