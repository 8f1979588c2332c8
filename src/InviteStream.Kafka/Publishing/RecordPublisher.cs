using System.Globalization;
using System.Text;
using Confluent.Kafka;
using InviteStream.Core.Outcomes;
using InviteStream.Kafka.Pipeline;
using InviteStream.Kafka.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.Publishing;

/// <summary>
/// Publishes outcome, dead-letter and changelog records. By default it returns only once the
/// broker acknowledged a record, so the caller may then let the source offset be committed; an
/// idempotent producer, so retries inside librdkafka never duplicate a record. In transactional
/// mode it returns once the record is in the open transaction, which <see cref="CommitTransaction"/>
/// commits together with the input offsets.
/// </summary>
internal sealed partial class RecordPublisher : IDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan QueueFullDelay = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan TransactionTimeout = TimeSpan.FromSeconds(30);
    private readonly TransactionGate? _transaction;
    private readonly Action<DeliveryReport<string?, byte[]>> _onTransactionalDelivery;
    private long _uncommitted;
    private readonly IProducer<string?, byte[]> _producer;
    private readonly KafkaOptions _options;
    private readonly PipelineStatistics _statistics;
    private readonly IRecordFormat _format;
    private readonly TimeProvider _time;
    private readonly ILogger<RecordPublisher> _logger;

    public RecordPublisher(
        IOptions<KafkaOptions> options, IRecordFormat format, PipelineStatistics statistics, TimeProvider time, ILogger<RecordPublisher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _statistics = statistics;
        _format = format;
        _time = time;
        _logger = logger;
        _producer = new ProducerBuilder<string?, byte[]>(KafkaClientConfig.Publisher(_options)).Build();
        _onTransactionalDelivery = report =>
        {
            if (report.Error.IsError)
            {
                // The transaction's commit fails on it and the worker re-reads from the last commit.
                LogProduceFailed(report.Topic, report.Error.Reason);
            }
        };
        if (_options.Transactional)
        {
            _producer.InitTransactions(TransactionTimeout);
            _producer.BeginTransaction();
            _transaction = new TransactionGate();
        }
    }

    public bool IsTransactional => _transaction is not null;

    public async Task PublishOutcomeAsync(InviteOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var message = new Message<string?, byte[]> { Key = outcome.ContactId, Value = await SerializeAsync(outcome, cancellationToken) };
        if (System.Diagnostics.Activity.Current is not null)
        {
            message.Headers = [];
            PipelineTracing.Inject(message.Headers);
        }

        await ProduceAsync(new TopicPartition(_options.OutcomeTopic, Partition.Any), message, cancellationToken);
        _statistics.OutcomePublished(outcome);
    }

    public async Task PublishDeadLetterAsync(ConsumeResult<string?, byte[]> source, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var message = DeadLetter(source, reason);
        await ProduceAsync(new TopicPartition(_options.DeadLetterTopic, Partition.Any), message, cancellationToken);
        _statistics.DeadLetterPublished(reason);
        LogDeadLettered(reason, source.Topic, source.Partition.Value, source.Offset.Value);
    }

    /// <summary>
    /// The dead-letter record for <paramref name="source"/>: its original key and value, with the
    /// reason and where it came from (its origin, for a re-keyed record) in headers.
    /// </summary>
    public static Message<string?, byte[]> DeadLetter(ConsumeResult<string?, byte[]> source, string reason)
    {
        ArgumentNullException.ThrowIfNull(source);
        var origin = RecordOrigin.Of(source);
        var headers = new Headers
        {
            { "x-error-reason", Encoding.UTF8.GetBytes(reason) },
            { "x-source-topic", Encoding.UTF8.GetBytes(origin.Topic) },
            { "x-source-partition", Encoding.UTF8.GetBytes(origin.Partition.ToString(CultureInfo.InvariantCulture)) },
            { "x-source-offset", Encoding.UTF8.GetBytes(origin.Offset.ToString(CultureInfo.InvariantCulture)) },
        };
        return new Message<string?, byte[]> { Key = source.Message.Key, Value = source.Message.Value, Headers = headers };
    }

    /// <summary>Produces to one explicit partition (co-partitioned topics) and waits for the acknowledgement.</summary>
    public Task PublishToPartitionAsync(TopicPartition partition, string key, byte[]? value, CancellationToken cancellationToken) =>
        ProduceAsync(partition, new Message<string?, byte[]> { Key = key, Value = value! }, cancellationToken);

    /// <summary>
    /// Commits the open transaction together with <paramref name="offsets"/> and opens the next one.
    /// False when the transaction had to be aborted: everything produced since the last commit is
    /// gone, and the caller must re-read its partitions from their committed offsets.
    /// </summary>
    public bool CommitTransaction(IReadOnlyCollection<TopicPartitionOffset> offsets, IConsumerGroupMetadata group)
    {
        var transaction = _transaction ?? throw new InvalidOperationException("The publisher is not transactional.");
        if (offsets.Count == 0 && Interlocked.Read(ref _uncommitted) == 0)
        {
            return true;
        }

        transaction.Close();
        try
        {
            if (offsets.Count > 0)
            {
                RetryWhileRetriable(() => _producer.SendOffsetsToTransaction(offsets, group, TransactionTimeout));
            }

            RetryWhileRetriable(() => _producer.CommitTransaction(TransactionTimeout));
            return true;
        }
        catch (KafkaTxnRequiresAbortException ex)
        {
            LogTransactionAborted(ex.Error.Reason);
            _producer.AbortTransaction(TransactionTimeout);
            return false;
        }
        finally
        {
            Interlocked.Exchange(ref _uncommitted, 0);
            _producer.BeginTransaction();
            transaction.Open();
        }
    }

    /// <summary>Drops everything produced since the last commit (its partitions were lost).</summary>
    public void AbortTransaction()
    {
        var transaction = _transaction ?? throw new InvalidOperationException("The publisher is not transactional.");
        transaction.Close();
        try
        {
            _producer.AbortTransaction(TransactionTimeout);
        }
        finally
        {
            Interlocked.Exchange(ref _uncommitted, 0);
            _producer.BeginTransaction();
            transaction.Open();
        }
    }

    public void Dispose() => _producer.Dispose();

    private async Task<byte[]> SerializeAsync(InviteOutcome outcome, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await _format.WriteOutcomeAsync(_options.OutcomeTopic, outcome);
            }
            catch (Exception ex) when (EventRecordReader.IsRegistryUnavailable(ex) && !cancellationToken.IsCancellationRequested)
            {
                // Registry down or the schema refused: the outcome waits rather than being dropped.
                LogSerializationFailed(_options.OutcomeTopic, ex.Message);
                await Task.Delay(RetryDelay, _time, cancellationToken);
            }
        }
    }

    // librdkafka already retries transient errors until message.timeout.ms; a failure that comes
    // back is retried here until shutdown, because giving up would lose the event.
    private async Task ProduceAsync(TopicPartition partition, Message<string?, byte[]> message, CancellationToken cancellationToken)
    {
        if (_transaction is not null)
        {
            await ProduceInTransactionAsync(_transaction, partition, message, cancellationToken);
            return;
        }

        while (true)
        {
            try
            {
                await _producer.ProduceAsync(partition, message, cancellationToken);
                return;
            }
            catch (ProduceException<string?, byte[]> ex) when (!ex.Error.IsFatal)
            {
                LogProduceFailed(partition.Topic, ex.Error.Reason);
                await Task.Delay(RetryDelay, _time, cancellationToken);
            }
        }
    }

    private async Task ProduceInTransactionAsync(
        TransactionGate transaction, TopicPartition partition, Message<string?, byte[]> message, CancellationToken cancellationToken)
    {
        while (true)
        {
            await transaction.EnterAsync(cancellationToken);
            try
            {
                _producer.Produce(partition, message, _onTransactionalDelivery);
                Interlocked.Increment(ref _uncommitted);
                return;
            }
            catch (ProduceException<string?, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                // The next commit flushes the queue.
            }
            finally
            {
                transaction.Exit();
            }

            await Task.Delay(QueueFullDelay, _time, cancellationToken);
        }
    }

    private void RetryWhileRetriable(Action operation)
    {
        while (true)
        {
            try
            {
                operation();
                return;
            }
            catch (KafkaRetriableException ex)
            {
                LogTransactionRetry(ex.Error.Reason);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transaction aborted ({Reason}); re-reading from the last committed offsets")]
    private partial void LogTransactionAborted(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transaction commit failed ({Reason}); retrying")]
    private partial void LogTransactionRetry(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Record sent to the dead-letter topic: {Reason} ({Topic}/{Partition}@{Offset})")]
    private partial void LogDeadLettered(string reason, string topic, int partition, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Serializing an outcome for {Topic} failed ({Reason}); retrying")]
    private partial void LogSerializationFailed(string topic, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Producing to {Topic} failed ({Reason}); retrying")]
    private partial void LogProduceFailed(string topic, string reason);
}
