using System.Collections.Concurrent;
using Confluent.Kafka;
using InviteStream.Core.Campaigns;
using InviteStream.Core.Invites;
using InviteStream.Core.State;
using InviteStream.Kafka.State;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// The contact stage's partitions: for each input partition the group assigns, a
/// <see cref="DecisionPartition"/> (which also reads the repartition partition of the same number)
/// and a <see cref="SettlementPartition"/> (the result partition of that number); closed when the
/// partition leaves. Keeps what depends on ownership up to date: readiness, the outcomes remembered
/// until their records are committed, and the process's fate when a partition's work dies.
/// </summary>
internal sealed class DecisionPartitions(
    RecordHandler handler,
    InviteFlow flow,
    ContactStateChangelog changelog,
    CampaignSet campaigns,
    PartitionStates states,
    PipelineHealth health,
    PipelineStatistics statistics,
    IOptions<KafkaOptions> kafka,
    IOptions<PipelineOptions> pipeline,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILoggerFactory loggers) : IPartitionStage
{
    // Changed on the poll thread, read by the eviction timer.
    private readonly ConcurrentDictionary<TopicPartition, (DecisionPartition Decisions, SettlementPartition Results)> _open = new();

    // Across commits: an outcome settled from a result answers two records, committed apart.
    private readonly CommittedPositions _committed = new();

    public IReadOnlyList<PartitionRoute> Open(IReadOnlyCollection<TopicPartition> assigned)
    {
        var routes = new List<PartitionRoute>();

        // Input partitions are decided here; partitions of further unkeyed topics are only re-keyed.
        var decided = assigned.Where(p => p.Topic == kafka.Value.InputTopic).ToList();
        var restore = decided.Count > 0 ? changelog.Restore([.. decided.Select(p => p.Partition.Value)], campaigns.LongestCooldown) : null;
        foreach (var partition in assigned)
        {
            var decides = partition.Topic == kafka.Value.InputTopic;
            var number = partition.Partition;
            var decisions = new DecisionPartition(
                partition,
                decides ? RestoreOf(partition, restore!) : null,
                changelog.For(number.Value),
                handler,
                pipeline.Value,
                time,
                loggers.CreateLogger<DecisionPartition>());
            var results = new SettlementPartition(
                new TopicPartition(kafka.Value.EffectiveResultTopic, number), decisions, handler, flow, pipeline.Value, time, loggers.CreateLogger<SettlementPartition>());
            _open[partition] = (decisions, results);
            routes.Add(new PartitionRoute(partition, decisions, ByAssignment: false));
            if (decides)
            {
                routes.Add(new PartitionRoute(new TopicPartition(kafka.Value.EffectiveRepartitionTopic, number), decisions, ByAssignment: true));
                routes.Add(new PartitionRoute(results.Partition, results, ByAssignment: true));
            }

            decisions.Failure.ContinueWith(failed => Died(partition, failed.Exception!.GetBaseException()), TaskContinuationOptions.OnlyOnFaulted);
            results.Failure.ContinueWith(failed => Died(results.Partition, failed.Exception!.GetBaseException()), TaskContinuationOptions.OnlyOnFaulted);
            decisions.Start();
            results.Start();
        }

        OwnershipChanged();
        return routes;
    }

    public async Task CloseAsync(IReadOnlyCollection<TopicPartition> leaving, bool graceful)
    {
        var closing = leaving.Where(_open.ContainsKey).Select(p => _open[p]).ToList();

        // Decisions first: those waiting for a dispatch result get it from the results, which stop after them.
        await Task.WhenAll(closing.Select(async p =>
        {
            await (graceful ? p.Decisions.StopAsync(pipeline.Value.DrainTimeout) : p.Decisions.AbortAsync());
            await (graceful ? p.Results.StopAsync(pipeline.Value.DrainTimeout) : p.Results.AbortAsync());
        }));
        foreach (var (decisions, results) in closing)
        {
            _open.TryRemove(decisions.Partition, out _);
            states.Remove(decisions.Partition);
            decisions.Dispose();
            results.Dispose();
        }

        OwnershipChanged();
    }

    // An outcome is remembered until every record it answers is committed: none is read again.
    public void Committed(IReadOnlyList<TopicPartitionOffset> offsets)
    {
        _committed.Add(offsets);
        foreach (var (decisions, _) in _open.Values)
        {
            decisions.ForgetCommitted(_committed.Covers);
        }
    }

    /// <summary>Drops contacts no cooldown applies to any more from every owned partition (and tombstones them).</summary>
    public void EvictExpired()
    {
        var now = time.GetUtcNow();
        foreach (var (decisions, _) in _open.Values)
        {
            decisions.EvictExpired(now);
        }
    }

    // One restore reads every partition of the assignment; readiness waits for each.
    private Func<CancellationToken, Task<ContactStateStore>> RestoreOf(TopicPartition partition, ContactStateRestore restore)
    {
        health.RestoreStarted(1);
        return async token =>
        {
            try
            {
                var started = time.GetTimestamp();
                var store = await restore.Of(partition.Partition.Value, token);
                statistics.Restored(time.GetElapsedTime(started).TotalMilliseconds);
                states.Add(partition, store);
                return store;
            }
            finally
            {
                health.RestoreFinished(1);
            }
        };
    }

    private void OwnershipChanged() => health.Owned(_open.Keys.Count(p => p.Topic == kafka.Value.InputTopic));

    private void Died(TopicPartition partition, Exception exception)
    {
        health.Failed($"partition {partition.Topic}[{partition.Partition.Value}]", exception);
        lifetime.StopApplication();
    }

}
