using Confluent.Kafka;
using InviteStream.Kafka.Clients;
using Microsoft.Extensions.Logging;

namespace InviteStream.Kafka.Publishing;

/// <summary>
/// A producer of the worker (outcomes, dead letters, state records, re-keyed records, triggers,
/// results, grants, statistics; in transactional mode one per stage, see <see cref="PublisherRole"/>): an
/// idempotent producer, so retries inside librdkafka never duplicate a record. By default a
/// produce completes once the broker acknowledged the record, so the caller may then let the source
/// offset be committed; in transactional mode once the record is in the open transaction, which
/// <see cref="CommitTransaction"/> commits together with the input offsets.
/// </summary>
/// <param name="config">The producer's configuration (<see cref="KafkaClientConfig.Publisher"/>); transactional when it names a transactional id.</param>
internal sealed partial class RecordPublisher(ProducerConfig config, TimeProvider time, ILogger<RecordPublisher> logger) : IDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan QueueFullDelay = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan TransactionTimeout = TimeSpan.FromSeconds(30);
    private readonly Lock _startLock = new();
    private IProducer<byte[]?, byte[]?>? _producer;
    private TransactionGate? _transaction;
    private long _uncommitted;

    public bool IsTransactional => config.TransactionalId is not null;

    /// <summary>Creates the producer and, in transactional mode, fences earlier instances and opens the first transaction.</summary>
    public void Start()
    {
        lock (_startLock)
        {
            if (_producer is not null)
            {
                return;
            }

            var producer = new ProducerBuilder<byte[]?, byte[]?>(config).Build();
            if (IsTransactional)
            {
                producer.InitTransactions(TransactionTimeout);
                producer.BeginTransaction();
                _transaction = new TransactionGate();
            }

            _producer = producer;
        }
    }

    /// <summary>
    /// Produces one record to an explicit partition (or <see cref="Partition.Any"/>). Transient
    /// failures are retried until <paramref name="cancellationToken"/>: giving up would lose the event.
    /// A record the producer refuses for its size throws (<see cref="IsTooLarge"/>), as retrying cannot help.
    /// </summary>
    public async Task ProduceAsync(TopicPartition partition, Message<byte[]?, byte[]?> message, CancellationToken cancellationToken)
    {
        while (true)
        {
            var acknowledged = await QueueAsync(partition, message, cancellationToken);
            try
            {
                await acknowledged;
                return;
            }
            catch (ProduceException<byte[]?, byte[]?> ex) when (IsRetriable(ex.Error))
            {
                await PauseBeforeRetryAsync(partition, ex.Error, cancellationToken);
            }
        }
    }

    /// <summary>
    /// As <see cref="ProduceAsync"/>, in two steps: completes once the record is queued in the
    /// producer, behind every record queued before it, and hands back the task that completes once
    /// it is acknowledged (in transactional mode: at once, the record being in the open transaction).
    /// Records of one partition queued one after another are written in that order; only a record
    /// that failed after the producer's own retries is produced again, behind the ones queued since.
    /// </summary>
    public async ValueTask<Task> EnqueueAsync(TopicPartition partition, Message<byte[]?, byte[]?> message, CancellationToken cancellationToken) =>
        RetriedUntilAcknowledgedAsync(await QueueAsync(partition, message, cancellationToken), partition, message, cancellationToken);

    /// <summary>Whether the producer (or the broker) refused a record for its size.</summary>
    public static bool IsTooLarge(Error error) => error.Code is ErrorCode.MsgSizeTooLarge or ErrorCode.RecordListTooLarge;

    /// <summary>
    /// Commits the open transaction together with each group's offsets and opens the next one.
    /// Retriable failures are retried with backoff for at most the transaction timeout, or until
    /// <paramref name="cancellationToken"/> (the worker is stopping): then the transaction is aborted. False when
    /// the transaction had to be aborted: everything produced since the last commit is gone, and the
    /// caller must re-read its partitions from their committed offsets.
    /// </summary>
    public bool CommitTransaction(
        IReadOnlyCollection<(IConsumerGroupMetadata Group, List<TopicPartitionOffset> Offsets)> offsets, CancellationToken cancellationToken)
    {
        var (producer, transaction) = Transactional();
        if (offsets.All(o => o.Offsets.Count == 0) && Interlocked.Read(ref _uncommitted) == 0)
        {
            return true;
        }

        transaction.Close();
        var giveUpAt = time.GetTimestamp();
        try
        {
            foreach (var (group, groupOffsets) in offsets.Where(o => o.Offsets.Count > 0))
            {
                RetryWithBackoff(() => producer.SendOffsetsToTransaction(groupOffsets, group, TransactionTimeout), giveUpAt, cancellationToken);
            }

            RetryWithBackoff(() => producer.CommitTransaction(TransactionTimeout), giveUpAt, cancellationToken);
            return true;
        }
        catch (KafkaException ex) when (!ex.Error.IsFatal)
        {
            LogTransactionAborted(ex.Error.Reason);
            producer.AbortTransaction(TransactionTimeout);
            return false;
        }
        catch (OperationCanceledException)
        {
            LogTransactionAborted("the worker is stopping");
            producer.AbortTransaction(TransactionTimeout);
            return false;
        }
        finally
        {
            Interlocked.Exchange(ref _uncommitted, 0);
            producer.BeginTransaction();
            transaction.Open();
        }
    }

    /// <summary>Drops everything produced since the last commit (its partitions were lost).</summary>
    public void AbortTransaction()
    {
        var (producer, transaction) = Transactional();
        transaction.Close();
        try
        {
            producer.AbortTransaction(TransactionTimeout);
        }
        finally
        {
            Interlocked.Exchange(ref _uncommitted, 0);
            producer.BeginTransaction();
            transaction.Open();
        }
    }

    /// <summary>Waits for every record produced so far to be acknowledged (or failed).</summary>
    public void Flush(TimeSpan timeout) => _producer?.Flush(timeout);

    // Idempotent: the stages that share this publisher each hold it.
    public void Dispose() => Interlocked.Exchange(ref _producer, null)?.Dispose();

    // Queues the record once (waiting while the producer's queue is full) and hands back its acknowledgement, not retried.
    private async ValueTask<Task> QueueAsync(TopicPartition partition, Message<byte[]?, byte[]?> message, CancellationToken cancellationToken)
    {
        var producer = _producer ?? throw new InvalidOperationException("The publisher has not been started.");
        if (_transaction is not null)
        {
            await ProduceInTransactionAsync(producer, _transaction, partition, message, cancellationToken);
            return Task.CompletedTask;
        }

        while (true)
        {
            // With byte-array serializers the record is queued before this call returns, or the task has failed.
            var acknowledged = producer.ProduceAsync(partition, message, cancellationToken);
            if (acknowledged is { IsFaulted: true, Exception.InnerException: ProduceException<byte[]?, byte[]?> { Error.Code: ErrorCode.Local_QueueFull } })
            {
                await Task.Delay(QueueFullDelay, time, cancellationToken);
                continue;
            }

            return acknowledged;
        }
    }

    private async Task RetriedUntilAcknowledgedAsync(
        Task acknowledged, TopicPartition partition, Message<byte[]?, byte[]?> message, CancellationToken cancellationToken)
    {
        try
        {
            await acknowledged;
        }
        catch (ProduceException<byte[]?, byte[]?> ex) when (IsRetriable(ex.Error))
        {
            await PauseBeforeRetryAsync(partition, ex.Error, cancellationToken);
            await ProduceAsync(partition, message, cancellationToken);
        }
    }

    // Failed after the producer's own retries, but neither fatal nor a size that no retry can fix.
    private static bool IsRetriable(Error error) => !error.IsFatal && !IsTooLarge(error);

    private Task PauseBeforeRetryAsync(TopicPartition partition, Error error, CancellationToken cancellationToken)
    {
        LogProduceFailed(partition.Topic, error.Reason);
        return Task.Delay(RetryDelay, time, cancellationToken);
    }

    private (IProducer<byte[]?, byte[]?> Producer, TransactionGate Gate) Transactional() =>
        _producer is { } producer && _transaction is { } gate
            ? (producer, gate)
            : throw new InvalidOperationException("The publisher is not started in transactional mode.");

    private async Task ProduceInTransactionAsync(
        IProducer<byte[]?, byte[]?> producer, TransactionGate transaction, TopicPartition partition, Message<byte[]?, byte[]?> message, CancellationToken cancellationToken)
    {
        while (true)
        {
            await transaction.EnterAsync(cancellationToken);
            try
            {
                producer.Produce(partition, message, OnTransactionalDelivery);
                Interlocked.Increment(ref _uncommitted);
                return;
            }
            catch (ProduceException<byte[]?, byte[]?> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                // The next commit flushes the queue.
            }
            finally
            {
                transaction.Exit();
            }

            await Task.Delay(QueueFullDelay, time, cancellationToken);
        }
    }

    private void OnTransactionalDelivery(DeliveryReport<byte[]?, byte[]?> report)
    {
        if (report.Error.IsError)
        {
            // The transaction's commit fails on it and the worker re-reads from the last commit.
            LogProduceFailed(report.Topic, report.Error.Reason);
        }
    }

    private void RetryWithBackoff(Action operation, long startedAt, CancellationToken cancellationToken) =>
        CommitRetry.Run(operation, time, TransactionTimeout - time.GetElapsedTime(startedAt), (reason, backoff) => LogTransactionRetry(reason, backoff), cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transaction aborted ({Reason}); re-reading from the last committed offsets")]
    private partial void LogTransactionAborted(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transaction commit failed ({Reason}); retrying in {Backoff}")]
    private partial void LogTransactionRetry(string reason, TimeSpan backoff);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Producing to {Topic} failed ({Reason}); retrying")]
    private partial void LogProduceFailed(string topic, string reason);
}
