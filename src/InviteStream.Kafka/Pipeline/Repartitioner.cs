using System.Collections.Concurrent;
using Confluent.Kafka;
using InviteStream.Kafka.Publishing;
using InviteStream.Kafka.Serialization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// Re-keys the input by contactId when some input topics are not keyed by it
/// (<see cref="KafkaOptions.UnkeyedInputTopics"/>): every source record goes to the repartition
/// topic keyed by its contactId (read from the value where the key is something else), with its
/// origin in headers, and decisions are read from there. Records whose contactId cannot be read go
/// to the dead-letter topic from here. At least once: a source offset is committed only after its
/// record was acknowledged.
/// </summary>
internal sealed partial class Repartitioner(
    IOptions<KafkaOptions> kafkaOptions,
    IOptions<PipelineOptions> pipelineOptions,
    EventRecordReader reader,
    PipelineStatistics statistics,
    ILogger<Repartitioner> logger) : BackgroundService
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private readonly KafkaOptions _kafka = kafkaOptions.Value;
    private readonly PipelineOptions _pipeline = pipelineOptions.Value;
    private readonly Dictionary<TopicPartition, PartitionOffsets> _offsets = [];
    private readonly StoredOffsets _stored = new();
    private readonly ConcurrentQueue<(string Topic, Message<string?, byte[]> Message, PartitionOffsets Offsets, long Offset)> _failed = new();

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        _kafka.Repartitions
            ? Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            : Task.CompletedTask;

    private void Run(CancellationToken stoppingToken)
    {
        var unkeyed = _kafka.UnkeyedInputTopics.ToHashSet(StringComparer.Ordinal);
        using var producer = new ProducerBuilder<string?, byte[]>(KafkaClientConfig.Repartitioner(_kafka)).Build();
        using var consumer = new ConsumerBuilder<string?, byte[]>(KafkaClientConfig.RepartitionerConsumer(_kafka))
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                foreach (var partition in partitions)
                {
                    _offsets[partition] = new PartitionOffsets();
                }
            })
            .SetPartitionsRevokedHandler((c, partitions) => Release(c, producer, partitions.Select(p => p.TopicPartition).ToList(), commit: true))
            .SetPartitionsLostHandler((c, partitions) => Release(c, producer, partitions.Select(p => p.TopicPartition).ToList(), commit: false))
            .SetErrorHandler((_, error) => LogKafkaError(error.Code, error.Reason))
            .Build();
        consumer.Subscribe(_kafka.SourceTopics);
        var sources = string.Join(", ", _kafka.SourceTopics);
        LogStarted(sources, _kafka.EffectiveRepartitionTopic);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                RetryFailed(producer);
                _stored.StorePeriodically(consumer, _offsets);
                ConsumeResult<string?, byte[]>? record;
                try
                {
                    record = consumer.Consume(PollTimeout);
                }
                catch (ConsumeException ex) when (!ex.Error.IsFatal)
                {
                    LogKafkaError(ex.Error.Code, ex.Error.Reason);
                    continue;
                }

                if (record is null || record.IsPartitionEOF || !_offsets.TryGetValue(record.TopicPartition, out var offsets))
                {
                    continue;
                }

                offsets.Track(record.Offset.Value);
                var (topic, message) = Rekey(record, unkeyed, stoppingToken);
                Produce(producer, topic, message, offsets, record.Offset.Value);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down while waiting for the registry.
        }
        finally
        {
            Release(consumer, producer, [.. _offsets.Keys], commit: true);
            consumer.Close();
        }
    }

    private (string Topic, Message<string?, byte[]> Message) Rekey(ConsumeResult<string?, byte[]> record, HashSet<string> unkeyed, CancellationToken token)
    {
        string? error = null;
        var contactId = unkeyed.Contains(record.Topic) || string.IsNullOrEmpty(record.Message.Key)
            ? ContactIdOf(record, token, out error)
            : record.Message.Key;
        if (contactId is null)
        {
            statistics.DeadLetterPublished(error!);
            return (_kafka.DeadLetterTopic, RecordPublisher.DeadLetter(record, error!));
        }

        var headers = new Headers();
        foreach (var header in record.Message.Headers ?? [])
        {
            headers.Add(header.Key, header.GetValueBytes());
        }

        if (!headers.TryGetLastBytes(RecordOrigin.TopicHeader, out _))
        {
            RecordOrigin.Of(record).WriteTo(headers);
        }

        statistics.RecordRepartitioned();
        return (_kafka.EffectiveRepartitionTopic, new Message<string?, byte[]> { Key = contactId, Value = record.Message.Value, Headers = headers });
    }

    private string? ContactIdOf(ConsumeResult<string?, byte[]> record, CancellationToken token, out string? error)
    {
        // Blocks the re-keying poll loop only while the registry is unreachable: nothing behind this record can go first.
        var pending = reader.ReadAsync(record, token);
        var read = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        error = read.Error;
        return read.Event?.ContactId;
    }

    private void Produce(IProducer<string?, byte[]> producer, string topic, Message<string?, byte[]> message, PartitionOffsets offsets, long offset)
    {
        while (true)
        {
            try
            {
                producer.Produce(topic, message, report =>
                {
                    if (report.Error.IsError)
                    {
                        // Retried from the poll loop; the source offset stays uncommitted until then.
                        LogProduceFailed(topic, report.Error.Reason);
                        _failed.Enqueue((topic, message, offsets, offset));
                    }
                    else
                    {
                        offsets.Complete(offset);
                    }
                });
                return;
            }
            catch (ProduceException<string?, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(PollTimeout);
            }
        }
    }

    private void RetryFailed(IProducer<string?, byte[]> producer)
    {
        while (_failed.TryDequeue(out var failed))
        {
            Produce(producer, failed.Topic, failed.Message, failed.Offsets, failed.Offset);
        }
    }

    // Revocation and shutdown wait for every forwarded record, then commit what is done.
    private void Release(IConsumer<string?, byte[]> consumer, IProducer<string?, byte[]> producer, List<TopicPartition> partitions, bool commit)
    {
        producer.Flush(_pipeline.DrainTimeout);
        var offsets = partitions
            .Where(_offsets.ContainsKey)
            .Select(p => new TopicPartitionOffset(p, _offsets[p].Committable))
            .Where(p => p.Offset.Value >= 0)
            .ToList();
        if (commit && offsets.Count > 0)
        {
            try
            {
                consumer.Commit(offsets);
            }
            catch (KafkaException ex)
            {
                LogKafkaError(ex.Error.Code, ex.Error.Reason);
            }
        }

        foreach (var partition in partitions)
        {
            _offsets.Remove(partition);
            _stored.Forget(partition);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-keying {SourceTopics} by contactId into {RepartitionTopic}")]
    private partial void LogStarted(string sourceTopics, string repartitionTopic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka error {Code} while re-keying: {Reason}")]
    private partial void LogKafkaError(ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Producing to {Topic} failed ({Reason}); retrying")]
    private partial void LogProduceFailed(string topic, string reason);
}
