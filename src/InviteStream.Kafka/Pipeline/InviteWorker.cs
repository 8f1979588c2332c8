using Confluent.Kafka;
using InviteStream.Core.Dispatch;
using InviteStream.Kafka.Publishing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// The consumer side of the pipeline. A blocking poll loop on its own thread hands records to one
/// <see cref="PartitionWorker"/> per assigned partition and never waits on HTTP; full partition
/// buffers pause their partition instead of blocking the loop, so the consumer stays in its group.
/// Offsets are stored only up to the last event whose outcome the broker acknowledged, and
/// committed on every revocation and at shutdown; in transactional mode they are committed in the
/// publisher's transaction instead, with the records the events produced.
/// </summary>
internal sealed partial class InviteWorker(
    IOptions<KafkaOptions> kafkaOptions,
    IOptions<PipelineOptions> pipelineOptions,
    PartitionWorkerFactory workers,
    IEnumerable<IDispatchCapacity> capacities,
    RecordPublisher publisher,
    TopicLayout layout,
    PipelineHealth health,
    PipelineStatistics statistics,
    ILogger<InviteWorker> logger) : BackgroundService
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan CommittedQueryTimeout = TimeSpan.FromSeconds(30);
    private readonly KafkaOptions _kafka = kafkaOptions.Value;
    private readonly PipelineOptions _pipeline = pipelineOptions.Value;
    private readonly Dictionary<TopicPartition, PartitionWorker> _workers = [];
    private readonly Dictionary<TopicPartition, Queue<ConsumeResult<string?, byte[]>>> _paused = [];
    private readonly StoredOffsets _stored = new();
    private CancellationToken _stopping;
    private long _lastCommittedAt;
    private const long LagIntervalMs = 1000;
    private long _lastLagAt;
    private const long BrokerProbeIntervalMs = 5000;
    private long _lastBrokerProbeAt;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => PollLoop(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void PollLoop(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        using var consumer = new ConsumerBuilder<string?, byte[]>(KafkaClientConfigFor())
            .SetPartitionsAssignedHandler((c, partitions) => OnAssigned(partitions))
            .SetPartitionsRevokedHandler((c, partitions) => OnRevoked(c, partitions.Select(p => p.TopicPartition)))
            .SetPartitionsLostHandler((c, partitions) => OnLost(c, partitions.Select(p => p.TopicPartition)))
            .SetErrorHandler((_, error) =>
            {
                if (error.Code == ErrorCode.Local_AllBrokersDown)
                {
                    health.BrokersDown();
                }

                LogKafkaError(error.Code, error.Reason, error.IsFatal);
            })
            .Build();
        consumer.Subscribe(_kafka.DecisionTopic);
        LogStarted(_kafka.DecisionTopic, _kafka.GroupId);

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                health.Polled();
                MeasureLag(consumer);
                ProbeBrokersWhileDown(consumer);
                ResumeDrainedPartitions(consumer);
                if (publisher.IsTransactional)
                {
                    CommitTransactionPeriodically(consumer);
                }
                else
                {
                    _stored.StorePeriodically(consumer, _workers.Select(w => KeyValuePair.Create(w.Key, w.Value.Offsets)));
                }

                ConsumeResult<string?, byte[]>? result;
                try
                {
                    result = consumer.Consume(PollTimeout);
                }
                catch (ConsumeException ex) when (!ex.Error.IsFatal)
                {
                    LogKafkaError(ex.Error.Code, ex.Error.Reason, false);
                    continue;
                }

                if (result is null || result.IsPartitionEOF)
                {
                    continue;
                }

                health.BrokersUp();
                Hand(consumer, result);
            }
        }
        finally
        {
            ShutDown(consumer);
        }
    }

    private Confluent.Kafka.ConsumerConfig KafkaClientConfigFor() =>
        Publishing.KafkaClientConfig.Consumer(_kafka, "invitestream-worker");

    private void Hand(IConsumer<string?, byte[]> consumer, ConsumeResult<string?, byte[]> result)
    {
        var partition = result.TopicPartition;
        if (!_workers.TryGetValue(partition, out var worker))
        {
            return; // Revoked between fetch and delivery: the new owner reads it.
        }

        if (_paused.TryGetValue(partition, out var waiting))
        {
            // Already-fetched records may still arrive after a pause; keep them in order behind the others.
            waiting.Enqueue(result);
        }
        else if (!worker.TryEnqueue(result))
        {
            consumer.Pause([partition]);
            _paused[partition] = new Queue<ConsumeResult<string?, byte[]>>([result]);
        }
    }

    private void ResumeDrainedPartitions(IConsumer<string?, byte[]> consumer)
    {
        if (_paused.Count == 0)
        {
            return;
        }

        foreach (var (partition, waiting) in _paused.ToArray())
        {
            var worker = _workers[partition];
            if (!worker.HasRoomToResume)
            {
                continue;
            }

            while (waiting.TryPeek(out var next) && worker.TryEnqueue(next))
            {
                waiting.Dequeue();
            }

            if (waiting.Count == 0)
            {
                _paused.Remove(partition);
                consumer.Resume([partition]);
            }
        }
    }

    private void OnAssigned(IEnumerable<TopicPartition> partitions)
    {
        var assigned = partitions.ToList();
        OpenWorkers(assigned);
        OwnershipChanged();
        if (assigned.Count > 0 && logger.IsEnabled(LogLevel.Information))
        {
            var numbers = string.Join(',', assigned.Select(p => p.Partition.Value));
            LogAssigned(_kafka.DecisionTopic, numbers);
        }
    }

    private void OpenWorkers(List<TopicPartition> assigned)
    {
        health.RestoreStarted(assigned.Count);
        try
        {
            OpenRestoredWorkers(assigned);
        }
        finally
        {
            health.RestoreFinished(assigned.Count, _workers.Count);
        }
    }

    private void OpenRestoredWorkers(List<TopicPartition> assigned)
    {
        // Partitions restore their state side by side: the slowest one, not the sum, delays the start.
        var opened = assigned.AsParallel().WithDegreeOfParallelism(Math.Clamp(assigned.Count, 1, 8))
            .Select(partition => (partition, worker: workers.Open(partition, _stopping)))
            .ToList();
        foreach (var (partition, worker) in opened)
        {
            _workers[partition] = worker;
        }
    }

    private void OnRevoked(IConsumer<string?, byte[]> consumer, IEnumerable<TopicPartition> partitions)
    {
        var revoked = partitions.Where(_workers.ContainsKey).ToList();
        StopWorkers(revoked, graceful: true);
        Commit(consumer, revoked);
        revoked.ForEach(Forget);
        OwnershipChanged();
        if (revoked.Count > 0 && logger.IsEnabled(LogLevel.Information))
        {
            var numbers = string.Join(',', revoked.Select(p => p.Partition.Value));
            LogRevoked(_kafka.DecisionTopic, numbers);
        }
    }

    private void OnLost(IConsumer<string?, byte[]> consumer, IEnumerable<TopicPartition> partitions)
    {
        var lost = partitions.Where(_workers.ContainsKey).ToList();
        StopWorkers(lost, graceful: false);
        lost.ForEach(Forget);

        if (publisher.IsTransactional && lost.Count > 0)
        {
            // The open transaction holds records of the lost partitions, which their new owner decides again.
            publisher.AbortTransaction();
            Rewind(consumer, leaving: []);
        }

        OwnershipChanged();
    }

    /// <summary>
    /// After an aborted transaction: drops every owned partition's in-flight work and state, restores
    /// the state from the changelog (where the aborted records never became visible) and seeks back to
    /// the committed offsets, so the aborted events are decided again. Partitions <paramref name="leaving"/>
    /// this instance are only closed: their next owner starts from the committed offsets anyway.
    /// </summary>
    private void Rewind(IConsumer<string?, byte[]> consumer, IReadOnlyCollection<TopicPartition> leaving)
    {
        var owned = _workers.Keys.ToList();
        StopWorkers(owned, graceful: false);
        if (_paused.Count > 0)
        {
            consumer.Resume(_paused.Keys);
        }

        owned.ForEach(Forget);

        owned.RemoveAll(leaving.Contains);
        if (owned.Count == 0)
        {
            return;
        }

        var committed = consumer.Committed(owned, CommittedQueryTimeout);
        OpenWorkers(owned);
        foreach (var position in committed)
        {
            consumer.Seek(position.Offset.IsSpecial ? new TopicPartitionOffset(position.TopicPartition, Offset.Beginning) : position);
        }

        LogRewound(owned.Count);
    }

    // The partition leaves this instance's books: its (stopped) worker, pause, stored offset and state.
    private void Forget(TopicPartition partition)
    {
        _workers.Remove(partition);
        _paused.Remove(partition);
        _stored.Forget(partition);
        workers.Closed(partition);
    }

    // Rates are split by partitions owned: N replicas together stay within the configured caps.
    private void OwnershipChanged()
    {
        health.Owned(_workers.Count);
        var total = Math.Max(layout.InputPartitions, _workers.Count);
        foreach (var capacity in capacities)
        {
            capacity.SetShare(_workers.Count, Math.Max(total, 1));
        }

        LogShare(_workers.Count, total);
    }

    private void ShutDown(IConsumer<string?, byte[]> consumer)
    {
        health.Stopped();
        var owned = _workers.Keys.ToList();
        StopWorkers(owned, graceful: true);
        Commit(consumer, owned);
        owned.ForEach(Forget);
        consumer.Close();
        LogStopped();
    }

    private void StopWorkers(IReadOnlyCollection<TopicPartition> partitions, bool graceful)
    {
        // Runs on the poll thread inside librdkafka callbacks: blocking here is what keeps the
        // revocation from completing before in-flight outcomes are acknowledged.
        var stops = partitions.Select(p => graceful ? _workers[p].StopAsync(_pipeline.DrainTimeout) : _workers[p].AbortAsync());
        Task.WhenAll(stops).GetAwaiter().GetResult();
    }

    private void Commit(IConsumer<string?, byte[]> consumer, IReadOnlyCollection<TopicPartition> partitions)
    {
        if (publisher.IsTransactional)
        {
            CommitTransaction(consumer, leaving: partitions);
            return;
        }

        var offsets = partitions
            .Select(p => (Partition: p, Offset: _workers[p].Offsets.Committable))
            .Where(p => p.Offset >= 0)
            .Select(p => new TopicPartitionOffset(p.Partition, p.Offset))
            .ToList();
        if (offsets.Count == 0)
        {
            return;
        }

        try
        {
            consumer.Commit(offsets);
        }
        catch (KafkaException ex)
        {
            // The next owner re-reads from the last successful commit: at-least-once, nothing lost.
            LogCommitFailed(ex.Error.Reason);
        }
    }

    // librdkafka says when every broker is down but not when one is back: ask one, now and then.
    private void ProbeBrokersWhileDown(IConsumer<string?, byte[]> consumer)
    {
        var now = Environment.TickCount64;
        if (health.BrokersReachable || _workers.Count == 0 || now - _lastBrokerProbeAt < BrokerProbeIntervalMs)
        {
            return;
        }

        _lastBrokerProbeAt = now;
        try
        {
            consumer.QueryWatermarkOffsets(_workers.Keys.First(), TimeSpan.FromSeconds(2));
            health.BrokersUp();
        }
        catch (KafkaException)
        {
            // Still down.
        }
    }

    // From the client's cached watermarks: no broker round trip, so it can run on the poll thread.
    private void MeasureLag(IConsumer<string?, byte[]> consumer)
    {
        var now = Environment.TickCount64;
        if (now - _lastLagAt < LagIntervalMs)
        {
            return;
        }

        _lastLagAt = now;
        var lag = new Dictionary<TopicPartition, long>(_workers.Count);
        foreach (var partition in _workers.Keys)
        {
            try
            {
                var end = consumer.GetWatermarkOffsets(partition).High;
                var position = consumer.Position(partition);
                if (!end.IsSpecial && !position.IsSpecial)
                {
                    lag[partition] = Math.Max(0, end.Value - position.Value);
                }
            }
            catch (KafkaException)
            {
                // Not fetched yet or being revoked: no figure this time.
            }
        }

        statistics.ConsumerLag(lag);
    }

    private void CommitTransactionPeriodically(IConsumer<string?, byte[]> consumer)
    {
        var now = Environment.TickCount64;
        if (now - _lastCommittedAt < (long)_kafka.TransactionCommitInterval.TotalMilliseconds)
        {
            return;
        }

        _lastCommittedAt = now;
        CommitTransaction(consumer, leaving: []);
    }

    // Every owned partition's progress goes into the one open transaction: the offsets of events
    // whose records were all produced into it (or an earlier one) and nothing past them.
    private void CommitTransaction(IConsumer<string?, byte[]> consumer, IReadOnlyCollection<TopicPartition> leaving)
    {
        var offsets = _workers
            .Select(w => (w.Key, Offset: w.Value.Offsets.Committable))
            .Where(w => w.Offset > _stored.Of(w.Key))
            .Select(w => new TopicPartitionOffset(w.Key, w.Offset))
            .ToList();
        if (publisher.CommitTransaction(offsets, consumer.ConsumerGroupMetadata))
        {
            foreach (var offset in offsets)
            {
                _stored.Record(offset.TopicPartition, offset.Offset.Value);
            }
        }
        else
        {
            Rewind(consumer, leaving);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consuming {Topic} in group {GroupId}")]
    private partial void LogStarted(string topic, string groupId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Assigned {Topic}[{Partitions}]")]
    private partial void LogAssigned(string topic, string partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Revoked {Topic}[{Partitions}]; in-flight work drained and offsets committed")]
    private partial void LogRevoked(string topic, string partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dispatch rates shared: {Assigned} of {Total} input partitions")]
    private partial void LogShare(int assigned, int total);

    [LoggerMessage(Level = LogLevel.Information, Message = "Consumer closed; offsets committed")]
    private partial void LogStopped();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka error {Code}: {Reason} (fatal: {IsFatal})")]
    private partial void LogKafkaError(ErrorCode code, string reason, bool isFatal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rewound {Partitions} partitions to their committed offsets after an aborted transaction")]
    private partial void LogRewound(int partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Offset commit failed: {Reason}")]
    private partial void LogCommitFailed(string reason);
}
