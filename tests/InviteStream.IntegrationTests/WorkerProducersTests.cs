using InviteStream.Kafka.Publishing;
using Microsoft.Extensions.DependencyInjection;

namespace InviteStream.IntegrationTests;

/// <summary>
/// Which librdkafka producers a worker runs: one for every stage by default; in transactional mode
/// one per transactional stage, and one more for what is written outside any transaction.
/// </summary>
[TestFixture]
public sealed class WorkerProducersTests
{
    [Test]
    public async Task Without_transactions_every_stage_writes_through_one_producer()
    {
        await using var harness = await PipelineHarness.StartAsync(1, TestCampaigns.Guide());
        using var worker = harness.BuildWorker();

        var publishers = PublishersOf(worker);

        Assert.That(publishers.Distinct(), Has.Exactly(1).Items);
        Assert.That(publishers[0].IsTransactional, Is.False);
    }

    [Test]
    public async Task With_transactions_each_transactional_stage_has_its_own_producer_and_grants_and_statistics_share_one_outside_them()
    {
        await using var harness = await PipelineHarness.StartAsync(1, TestCampaigns.Guide());
        using var worker = harness.BuildWorker(new Dictionary<string, string?> { ["Kafka:Transactional"] = "true", ["Kafka:TransactionalId"] = $"{harness.GroupId}-tx" });

        var publishers = PublishersOf(worker);
        var (contacts, dispatch, grants, stats) = (publishers[0], publishers[1], publishers[2], publishers[3]);

        Assert.Multiple(() =>
        {
            Assert.That(new[] { contacts, dispatch, grants }.Distinct(), Has.Exactly(3).Items);
            Assert.That(stats, Is.SameAs(grants));
            Assert.That(contacts.IsTransactional && dispatch.IsTransactional, Is.True);
            Assert.That(grants.IsTransactional, Is.False, "a grant must be durable before its invite is sent, whatever becomes of a transaction");
        });
    }

    // The contact stage's, the dispatch stage's, the grant changelog's and the stats stage's.
    private static RecordPublisher[] PublishersOf(Microsoft.Extensions.Hosting.IHost worker) =>
    [
        worker.Services.GetRequiredService<RecordPublisher>(),
        worker.Services.GetRequiredKeyedService<RecordPublisher>(PublisherKeys.Dispatch),
        worker.Services.GetRequiredKeyedService<RecordPublisher>(PublisherKeys.Grants),
        worker.Services.GetRequiredKeyedService<RecordPublisher>(PublisherKeys.Stats),
    ];
}
