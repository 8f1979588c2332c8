using Confluent.Kafka;
using InviteStream.Core.State;
using InviteStream.Kafka.Pipeline;
using InviteStream.Kafka.State;
using Microsoft.Extensions.DependencyInjection;

namespace InviteStream.IntegrationTests;

/// <summary>Readiness follows the state restore: not ready until every assigned partition's contacts are back.</summary>
[TestFixture]
public sealed class ReadinessTests
{
    private const int Contacts = 20_000;

    [Test]
    public async Task The_worker_is_ready_only_once_every_assigned_partition_has_restored_its_state()
    {
        await using var harness = await PipelineHarness.StartAsync(4, TestCampaigns.Guide());
        var invitedAt = TimeProvider.System.GetUtcNow();
        using (var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = harness.BootstrapServers, LingerMs = 20 }).Build())
        {
            for (var i = 0; i < Contacts; i++)
            {
                var contactId = $"ext:restored{i:D5}";
                var snapshot = new ContactSnapshot(contactId, [new InviteRecord(TestCampaigns.GuideCampaignId, invitedAt)]);
                producer.Produce(
                    new TopicPartition($"{harness.GroupId}.contact-state", i % harness.Partitions),
                    new Message<string, byte[]> { Key = contactId, Value = ContactSnapshotJson.Write(snapshot) });
            }

            producer.Flush(TimeSpan.FromSeconds(30));
        }

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
}
