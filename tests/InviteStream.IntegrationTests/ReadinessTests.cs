using Confluent.Kafka;
using InviteStream.Core.State;
using InviteStream.Kafka.Pipeline;
using InviteStream.Kafka.State;
using Microsoft.Extensions.DependencyInjection;

namespace InviteStream.IntegrationTests;

/// <summary>
/// Readiness follows the state restore: not ready until every assigned partition's contacts are
/// back, seen by the pipeline and over HTTP by a probe.
/// </summary>
[TestFixture]
public sealed class ReadinessTests
{
    private const int Contacts = 20_000;

    [Test]
    public async Task The_worker_is_ready_only_once_every_assigned_partition_has_restored_its_state()
    {
        await using var harness = await PipelineHarness.StartAsync(4, TestCampaigns.Guide());
        FillChangelog(harness, Contacts);

        using var worker = harness.BuildWorker();
        var health = worker.Services.GetRequiredService<PipelineHealth>();
        var states = worker.Services.GetRequiredService<PartitionStates>();
        Assert.That(health.IsReady, Is.False, "not ready before start");

        var starting = worker.StartAsync();
        var sawRestoring = false;
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            while (!health.IsReady)
            {
                sawRestoring |= health.PartitionsRestoring > 0;
                Assert.That(deadline.IsCancellationRequested, Is.False, "the worker became ready");
                await Task.Yield();
            }
        }

        var restoredWhenReady = states.Owned.Sum(s => s.Value.Count);
        await starting;
        Assert.Multiple(() =>
        {
            Assert.That(restoredWhenReady, Is.EqualTo(Contacts), "every contact was restored by the time readiness turned true");
            Assert.That(health.PartitionsOwned, Is.EqualTo(harness.Partitions));
            Assert.That(health.SinceLastPoll, Is.LessThan(TimeSpan.FromSeconds(5)), "the poll loop turns");
        });
        TestContext.Out.WriteLine($"restore observed in progress: {sawRestoring}");

        await worker.StopAsync();
        Assert.That(health.IsReady, Is.False, "not ready once stopping");
    }

    [Test]
    public async Task The_probes_answer_over_HTTP_and_readyz_turns_200_only_after_the_restore()
    {
        await using var harness = await PipelineHarness.StartAsync(4, TestCampaigns.Guide());
        FillChangelog(harness, Contacts);
        await harness.ProduceAsync([("ext:new", TestEvents.Event("e1", "ext:new", TimeProvider.System.GetUtcNow(), churn: 0.9))]);

        using var worker = harness.BuildWorker();
        var states = worker.Services.GetRequiredService<PartitionStates>();
        var server = worker.Services.GetRequiredService<InviteStream.Operations.HealthServer>();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        // The brokers answer slowly until the first probe was answered: a restore of this size is
        // otherwise done before the probe's first request arrives, and "not ready" is never seen.
        EmbeddedKafka.Cluster.SetRoundTripDelay(300);
        Task starting;
        var statuses = new List<int>();
        int restoredAtFirstReady;
        try
        {
            starting = worker.StartAsync();
            await PipelineHarness.WaitUntilAsync(() => server.Address is not null, TimeSpan.FromSeconds(30), "the health endpoint listens");
            using var first = await http.GetAsync(new Uri(server.Address!, "/readyz"));
            statuses.Add((int)first.StatusCode);
        }
        finally
        {
            EmbeddedKafka.Cluster.SetRoundTripDelay(0);
        }

        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            while (true)
            {
                using var ready = await http.GetAsync(new Uri(server.Address!, "/readyz"));
                statuses.Add((int)ready.StatusCode);
                if (ready.IsSuccessStatusCode)
                {
                    restoredAtFirstReady = states.Owned.Sum(s => s.Value.Count);
                    break;
                }

                Assert.That(await ready.Content.ReadAsStringAsync(), Does.Contain("restoring").Or.Contain("no partitions assigned"));
                Assert.That(deadline.IsCancellationRequested, Is.False, "readyz turned 200");
            }
        }

        await starting;
        await PipelineHarness.WaitUntilAsync(() => PipelineHarness.StatisticsOf(worker).Finished >= 1, TimeSpan.FromSeconds(30), "the event is decided");
        using var alive = await http.GetAsync(new Uri(server.Address!, "/healthz"));
        var metrics = await http.GetStringAsync(new Uri(server.Address!, "/metrics"));
        await worker.StopAsync();

        Assert.Multiple(() =>
        {
            Assert.That(statuses[0], Is.EqualTo(503), "not ready at first");
            Assert.That(restoredAtFirstReady, Is.GreaterThanOrEqualTo(Contacts), "ready only with every contact restored");
            Assert.That((int)alive.StatusCode, Is.EqualTo(200));
            Assert.That(metrics, Does.Contain("invitestream_events_consumed"));
            Assert.That(metrics, Does.Contain("invitestream_outcomes"));
            Assert.That(metrics, Does.Contain("invitestream_state_restore_duration"));
        });
    }

    private static void FillChangelog(PipelineHarness harness, int contacts)
    {
        var invitedAt = TimeProvider.System.GetUtcNow();
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = harness.BootstrapServers, LingerMs = 20 }).Build();
        for (var i = 0; i < contacts; i++)
        {
            var contactId = $"ext:restored{i:D5}";
            var snapshot = new ContactSnapshot(contactId, [new InviteRecord(TestCampaigns.GuideCampaignId, invitedAt)]);
            producer.Produce(
                new TopicPartition($"{harness.GroupId}.contact-state", i % harness.Partitions),
                new Message<string, byte[]> { Key = contactId, Value = ContactSnapshotJson.Write(snapshot) });
        }

        producer.Flush(TimeSpan.FromSeconds(30));
    }
}
