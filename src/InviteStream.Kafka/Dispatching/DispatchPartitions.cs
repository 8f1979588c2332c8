using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using InviteStream.Core.Campaigns;
using InviteStream.Core.Dispatch;
using InviteStream.Core.Invites;
using InviteStream.Kafka.Pipeline;
using InviteStream.Kafka.Publishing;
using InviteStream.Kafka.Serialization;
using InviteStream.Kafka.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.Dispatching;

/// <summary>
/// The dispatch stage's partitions: a <see cref="DispatchPartition"/> for each trigger partition the
/// dispatch group assigns, with its campaigns' budgets restored from the grant changelog, and this
/// instance's share of the API's budget following the share of trigger partitions it owns.
/// </summary>
internal sealed partial class DispatchPartitions(
    InviteFlow flow,
    CampaignSet campaigns,
    ChangelogReader changelogs,
    [FromKeyedServices(PublisherKeys.Dispatch)] RecordPublisher dispatchPublisher,
    [FromKeyedServices(PublisherKeys.Grants)] RecordPublisher grantPublisher,
    IEnumerable<IDispatchCapacity> capacities,
    IEnumerable<IApiGrants> apiGrants,
    IEnumerable<IPermitWaits> permitWaits,
    TopicLayout layout,
    PipelineHealth health,
    IOptions<KafkaOptions> kafka,
    IOptions<PipelineOptions> pipeline,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILoggerFactory loggers) : IPartitionStage
{
    private readonly ILogger _logger = loggers.CreateLogger<DispatchPartitions>();
    private readonly ConcurrentDictionary<TopicPartition, (DispatchPartition Work, GrantJournal Journal)> _open = new();
    private readonly ResultPublisher _results = new(dispatchPublisher, kafka);

    // The API budget's grants come back with whichever partition's journal holds them, so no
    // partition grants anything until every partition being restored is done, or a partition
    // restored first would spend that budget again.
    private readonly RestoreBarrier _restoring = new();

    /// <summary>Where this instance records the API budget's grants: the journal of its lowest trigger partition.</summary>
    public GrantJournal? ApiJournal => _open.OrderBy(p => p.Key.Partition.Value).Select(p => p.Value.Journal).FirstOrDefault();

    public IReadOnlyList<PartitionRoute> Open(IReadOnlyCollection<TopicPartition> assigned)
    {
        var routes = new List<PartitionRoute>();
        var grants = assigned.Count == 0 ? null : ReadGrants([.. assigned.Select(p => p.Partition.Value)]);
        foreach (var partition in assigned)
        {
            var journal = new GrantJournal(grantPublisher, new TopicPartition(kafka.Value.EffectiveGrantTopic, partition.Partition));
            _restoring.Begin();
            var opened = new DispatchPartition(
                partition,
                async token =>
                {
                    try
                    {
                        return Restore(partition, journal, await grants!.Of(partition.Partition.Value, token));
                    }
                    finally
                    {
                        _restoring.End();
                    }
                },
                () => _restoring.AllDone,
                flow,
                _results,
                pipeline.Value,
                time,
                loggers.CreateLogger<DispatchPartition>());
            _open[partition] = (opened, journal);
            routes.Add(new PartitionRoute(partition, opened, ByAssignment: false));
            opened.Failure.ContinueWith(failed => Died(partition, failed.Exception!.GetBaseException()), TaskContinuationOptions.OnlyOnFaulted);
            opened.Start();
        }

        OwnershipChanged();
        return routes;
    }

    public async Task CloseAsync(IReadOnlyCollection<TopicPartition> leaving, bool graceful)
    {
        var closing = leaving.Where(_open.ContainsKey).Select(p => _open[p].Work).ToList();
        await Task.WhenAll(closing.Select(p => graceful ? p.StopAsync(pipeline.Value.DrainTimeout) : p.AbortAsync()));
        foreach (var partition in closing)
        {
            _open.TryRemove(partition.Partition, out _);
            partition.Dispose();
        }

        OwnershipChanged();
    }

    public void Committed(IReadOnlyList<TopicPartitionOffset> offsets)
    {
        // Nothing of a trigger is remembered past its result.
    }

    // A dispatch is cancelled at its invite's deadline, at most MaxInviteDelay after its grant; a
    // request cut off then may still be on the wire a moment longer.
    private TimeSpan RequestAllowance => pipeline.Value.MaxInviteDelay + TimeSpan.FromSeconds(1);

    // The grant log partitions of the trigger partitions an assignment brings, each its slices by record key.
    private ChangelogPartitions<Dictionary<string, IReadOnlyList<Grant>>> ReadGrants(IReadOnlyCollection<int> partitions) =>
        ChangelogPartitions<Dictionary<string, IReadOnlyList<Grant>>>.Read(
            changelogs,
            kafka.Value.EffectiveGrantTopic,
            partitions,
            withHeaders: false,
            () => new(StringComparer.Ordinal),
            (slices, key, value, _) => slices[Encoding.UTF8.GetString(key)] = GrantJson.Read(value));

    // Every grant of the last window, campaign by campaign, before anything is granted: the cap holds
    // in any window across owners. The API budget's grants recorded here go to this instance's.
    private CampaignPermits Restore(TopicPartition partition, GrantJournal journal, RestoredPartition<Dictionary<string, IReadOnlyList<Grant>>> restored)
    {
        var permits = new CampaignPermits(journal, time, pipeline.Value.CampaignRateWindow, RequestAllowance, permitWaits.FirstOrDefault());
        var byId = campaigns.Campaigns.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var (slices, records) = restored;
        var budgets = slices.GroupBy(s => GrantJournal.BudgetOf(s.Key), StringComparer.Ordinal)
            .ToDictionary(b => b.Key, b => b.SelectMany(s => s.Value).ToList(), StringComparer.Ordinal);
        foreach (var (key, grants) in budgets)
        {
            if (key == GrantJournal.ApiKey)
            {
                foreach (var api in apiGrants)
                {
                    api.Restore(grants.Select(g => g.At));
                }
            }
            else if (byId.TryGetValue(key, out var campaign))
            {
                // A grant moving to its answer's slice may have been written there before its old slice was rewritten.
                permits.Restore(campaign, [.. grants.GroupBy(g => g.RequestId, StringComparer.Ordinal).Select(g => g.OrderByDescending(x => x.Answered).First())]);
            }
        }

        LogRestored(partition.Topic, partition.Partition.Value, records, budgets.Count);
        return permits;
    }

    // The API's budget is split by trigger partitions owned: N replicas together stay within it.
    private void OwnershipChanged()
    {
        var owned = _open.Count;
        var total = Math.Max(Math.Max(layout.TriggerPartitions, owned), 1);
        foreach (var capacity in capacities)
        {
            capacity.SetShare(owned, total);
        }

        LogShare(owned, total);
    }

    private void Died(TopicPartition partition, Exception exception)
    {
        health.Failed($"partition {partition.Topic}[{partition.Partition.Value}]", exception);
        lifetime.StopApplication();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Restored grants of {Topic}[{Partition}]: {Records} records, {Budgets} budgets")]
    private partial void LogRestored(string topic, int partition, int records, int budgets);

    [LoggerMessage(Level = LogLevel.Information, Message = "API budget shared: {Assigned} of {Total} trigger partitions")]
    private partial void LogShare(int assigned, int total);

    /// <summary>Restores under way; done once none is.</summary>
    private sealed class RestoreBarrier
    {
        private readonly Lock _lock = new();
        private int _outstanding;
        private TaskCompletionSource _done = NewDone(completed: true);

        public Task AllDone
        {
            get
            {
                lock (_lock)
                {
                    return _done.Task;
                }
            }
        }

        public void Begin()
        {
            lock (_lock)
            {
                if (_outstanding++ == 0)
                {
                    _done = NewDone(completed: false);
                }
            }
        }

        public void End()
        {
            TaskCompletionSource? done = null;
            lock (_lock)
            {
                if (--_outstanding == 0)
                {
                    done = _done;
                }
            }

            done?.TrySetResult();
        }

        private static TaskCompletionSource NewDone(bool completed)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (completed)
            {
                done.SetResult();
            }

            return done;
        }
    }
}
