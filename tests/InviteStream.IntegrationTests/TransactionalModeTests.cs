using Confluent.Kafka;

namespace InviteStream.IntegrationTests;

/// <summary>
/// <c>Kafka:Transactional=true</c>: outcomes, dead letters, changelog records and input offsets go
/// to Kafka in one transaction per commit interval.
/// </summary>
[TestFixtureSource(typeof(TestKafkas), nameof(TestKafkas.All))]
public sealed class TransactionalModeTests(string broker)
{
    private ITestKafka _kafka = null!;

    [OneTimeSetUp]
    public async Task ConnectAsync() => _kafka = await TestKafkas.GetAsync(broker);

    [Test]
    public async Task Outcomes_dead_letters_and_state_are_written_in_committed_transactions_with_the_input_offsets()
    {
        await using var harness = await PipelineHarness.StartAsync(_kafka, 3, TimeSpan.Zero, TestCampaigns.Guide());
        var now = TimeProvider.System.GetUtcNow();
        const int Events = 600;
        await harness.ProduceAsync(Enumerable.Range(0, Events).Select(i =>
        {
            var contact = $"ext:t{i % 150:D3}";
            return ((string?)contact, i == 17 ? "{not json" : TestEvents.Event($"e{i}", contact, now, churn: 0.9));
        }));

        using (var worker = harness.BuildWorker(new Dictionary<string, string?>
        {
            ["Kafka:Transactional"] = "true",
            ["Kafka:TransactionalId"] = $"{harness.GroupId}-tx",
            ["Pipeline:EmitNotEligible"] = "true",
        }))
        {
            await worker.StartAsync();
            await PipelineHarness.WaitUntilAsync(() => PipelineHarness.StatisticsOf(worker).Finished >= Events, TimeSpan.FromSeconds(90), "every event is handled");
            await worker.StopAsync();
        }

        var outcomes = harness.ReadAll(harness.OutcomeTopic);
        var deadLetters = harness.ReadAll(harness.DeadLetterTopic);
        var changelog = harness.ReadAll($"{harness.GroupId}.contact-state");
        Assert.Multiple(() =>
        {
            Assert.That(outcomes.Count + deadLetters.Count, Is.EqualTo(Events), "one record per input, none lost, none repeated");
            Assert.That(deadLetters, Has.Count.EqualTo(1));
            Assert.That(changelog.Select(r => r.Message.Key).Distinct().Count(), Is.EqualTo(150), "one delivered invite per contact recorded");
            Assert.That(harness.Simulator.State.Ledger, Has.Count.EqualTo(150));
            Assert.That(harness.EndOffsets(harness.OutcomeTopic), Is.GreaterThan(outcomes.Count), "commit markers take offsets: the outcomes were written in transactions");
            Assert.That(harness.EndOffsets($"{harness.GroupId}.contact-state"), Is.GreaterThan(changelog.Count), "so were the state records");
        });

        if (broker != TestKafkas.Embedded)
        {
            // librdkafka's mock cluster acknowledges TxnOffsetCommit without storing the offsets, so only a real broker can show them.
            using var reader = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = harness.BootstrapServers, GroupId = harness.GroupId }).Build();
            var committed = reader.Committed(Enumerable.Range(0, harness.Partitions).Select(p => new TopicPartition(harness.InputTopic, p)), TimeSpan.FromSeconds(10));
            Assert.That(committed.Sum(c => c.Offset.Value), Is.EqualTo(Events), "the input offsets were committed in the transactions");
        }
    }
}
