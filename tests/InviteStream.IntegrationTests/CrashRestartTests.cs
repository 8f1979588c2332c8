using Confluent.Kafka;

namespace InviteStream.IntegrationTests;

/// <summary>
/// At-least-once through crashes: the worker process is killed (SIGKILL) three times mid-stream and
/// restarted; every input offset ends with an outcome, the outcomes of an event decided twice agree,
/// and no contact is invited over its cap. In transactional mode a killed worker's open transaction
/// is fenced by its restart, and on a real broker every input has exactly one committed outcome.
/// </summary>
[TestFixtureSource(typeof(TestKafkas), nameof(TestKafkas.All))]
public sealed class CrashRestartTests(string broker)
{
    private ITestKafka _kafka = null!;

    [OneTimeSetUp]
    public async Task ConnectAsync() => _kafka = await TestKafkas.GetAsync(broker);

    // Six events per contact: each of them rewrites the contact's state with its remembered outcomes,
    // and the changelog must stay within what the embedded broker keeps of a partition (~5 MB).
    private const int Events = 12_000;
    private const int Contacts = 2_000;

    [Test]
    public async Task Killed_three_times_mid_stream_the_worker_still_decides_every_event_and_invites_no_contact_twice([Values] bool transactional)
    {
        await using var harness = await PipelineHarness.StartAsync(_kafka, 6, TimeSpan.FromMilliseconds(1), TestCampaigns.Guide());
        var campaigns = Directory.CreateTempSubdirectory("invitestream-crash-");
        File.WriteAllText(Path.Combine(campaigns.FullName, "guide.json"), TestCampaigns.Guide());
        var now = TimeProvider.System.GetUtcNow();
        await harness.ProduceAsync(Enumerable.Range(0, Events).Select(i =>
        {
            var contact = $"ext:c{i % Contacts:D5}";
            return ((string?)contact, TestEvents.Event($"e{i}", contact, now, churn: i % 4 == 0 ? 0.2 : 0.9));
        }));

        string[] arguments =
        [
            "--campaigns", campaigns.FullName,
            $"--Kafka:BootstrapServers={harness.BootstrapServers}",
            $"--Kafka:GroupId={harness.GroupId}",
            $"--Kafka:StatsTopic={harness.StatsTopic}",
            $"--Kafka:InputTopic={harness.InputTopic}",
            $"--Kafka:OutcomeTopic={harness.OutcomeTopic}",
            $"--Kafka:DeadLetterTopic={harness.DeadLetterTopic}",
            // A killed classic member is freed after its session timeout; keep that short.
            "--Kafka:GroupProtocol=Classic",
            "--Kafka:Client:session.timeout.ms=6000",
            $"--Engagement:BaseUrl={harness.Simulator.BaseUrl}",
            "--Engagement:ClientId=tests",
            "--Engagement:ClientSecret=s3cr3t-for-tests",
            "--Engagement:ApiRequestsPerMinute=1000000",
            "--Pipeline:EmitNotEligible=true",
            "--Pipeline:MaxEventAge=01:00:00",
            "--Pipeline:MaxInviteDelay=00:10:00",
            "--Logging:LogLevel:Default=Warning",
            "--Health:Host=127.0.0.1",
            "--Health:Port=0",
            $"--Kafka:Transactional={transactional}",
            $"--Kafka:TransactionalId={harness.GroupId}-worker",
        ];

        var logs = new List<string>();
        try
        {
            foreach (var killAt in new[] { Events / 5, Events * 2 / 5, Events * 3 / 5 })
            {
                using var doomed = WorkerProcess.Start(arguments);

                // Counted by input, not by outcome record: a restarted worker first publishes again
                // what its predecessor had not committed, and would be killed before deciding anything new.
                await PipelineHarness.WaitUntilAsync(
                    () => harness.DecidedInputs() >= killAt || doomed.HasExited, TimeSpan.FromSeconds(120), $"{killAt} inputs are decided", TimeSpan.FromMilliseconds(250));
                Assert.That(doomed.HasExited, Is.False, doomed.Output);
                doomed.Kill();
                logs.Add(doomed.Output);
            }

            using var survivor = WorkerProcess.Start(arguments);
            await PipelineHarness.WaitUntilAsync(
                () => harness.EndOffsets(harness.OutcomeTopic) >= Events || survivor.HasExited, TimeSpan.FromSeconds(180), "every event has an outcome");
            var missing = await harness.WaitForEveryInputDecidedAsync(TimeSpan.FromSeconds(60));
            logs.Add(survivor.Output);
            Assert.That(
                harness.TrimmedPartitions(harness.ChangelogTopic),
                Is.Empty,
                "the embedded broker dropped the oldest contact states: the test outgrew it, and restores missed state");
            Assert.That(missing, Is.Empty, string.Join(Environment.NewLine, logs));
            if (!transactional || broker != TestKafkas.Embedded)
            {
                // The embedded broker does not store transactional offsets: a restart there reads the
                // input again from its start, past outcomes the worker forgot as committed.
                OutcomeChecks.OneAnswerPerInput(harness, duplicatesAllowed: true);
            }
        }
        finally
        {
            campaigns.Delete(recursive: true);
        }

        var perContact = harness.Simulator.State.Ledger.GroupBy(i => i.ContactId).Select(g => g.Count()).ToList();
        Assert.That(perContact, Has.Count.GreaterThan(Contacts / 2), "most contacts were invited once");
        Assert.That(perContact.Max(), Is.EqualTo(1), "no contact invited over its cap");
        Assert.That(
            harness.Simulator.State.Received.Count(t => t.Status == "suppressed"),
            Is.Zero,
            "restored local state stops every repeat before it reaches the engine; replays reuse their requestId");
        if (transactional && broker != TestKafkas.Embedded)
        {
            // The embedded broker shows aborted records to read_committed readers; a real broker does not.
            Assert.That(harness.ReadOutcomes(), Has.Count.EqualTo(Events), "exactly one committed outcome per input");
        }

        await TestContext.Progress.WriteLineAsync($"outcomes written: {harness.EndOffsets(harness.OutcomeTopic)} for {Events} events (duplicates are replays after kills)");
    }
}
