using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Confluent.Kafka;
using InviteStream.Kafka.Clients;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.State;

/// <summary>What a read of several changelog partitions does with them, partition by partition.</summary>
internal interface IChangelogTarget
{
    /// <summary>Before any record of <paramref name="partition"/>: it holds at most <paramref name="records"/> (its offsets' span; compaction leaves fewer).</summary>
    void Starting(int partition, long records);

    /// <summary>One keyed record of <paramref name="partition"/>, in the partition's order.</summary>
    void Apply(int partition, byte[] key, byte[]? value, Headers? headers);

    /// <summary>Every record <paramref name="partition"/> held when it was reached has been applied; nothing of it is applied after this.</summary>
    void ReachedEnd(int partition);

    /// <summary>False once <paramref name="partition"/> is no longer wanted (it left mid-restore): the reader stops reading it.</summary>
    bool Wants(int partition);
}

/// <summary>
/// Reads partitions of a compacted changelog from their beginning to their end, record by record,
/// without a consumer group: how every store of the worker is restored before it is used.
/// </summary>
internal sealed partial class ChangelogReader(IOptions<KafkaOptions> options, TimeProvider time, ILogger<ChangelogReader> logger)
{
    private static readonly TimeSpan PollSlice = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(30);

    // How often the reader asks whether its partitions are still wanted: a partition taken away
    // mid-restore stops restoring within about this.
    private static readonly TimeSpan WantedCheck = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// <see cref="ReadToEnd(string, IReadOnlyCollection{int}, IChangelogTarget, bool, CancellationToken)"/>
    /// on a thread of its own, to the end of every partition; a failure of the read goes to <paramref name="failed"/>.
    /// </summary>
    public void StartReadingToEnd(string topic, IReadOnlyCollection<int> partitions, IChangelogTarget target, bool withHeaders, Action<Exception> failed) =>
        Task.Factory.StartNew(
            () =>
            {
                try
                {
                    ReadToEnd(topic, partitions, target, withHeaders, CancellationToken.None);
                }
                catch (Exception ex)
                {
                    failed(ex);
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

    /// <summary>
    /// Reads every partition of <paramref name="topic"/> in <paramref name="partitions"/> to its end
    /// with one consumer, fetching from all of them at once: a restore of many partitions costs one
    /// client, not one per partition. The records are applied on a thread of their own while the
    /// next ones are fetched. Returns when each partition has reached its end (and all of it was
    /// applied) or is no longer wanted.
    /// </summary>
    public void ReadToEnd(string topic, IReadOnlyCollection<int> partitions, IChangelogTarget target, bool withHeaders, CancellationToken cancellationToken)
    {
        var config = KafkaClientConfig.Restore(options.Value);

        // Each field the client copies into every record costs a call into librdkafka per record,
        // and a restore reads a million of them.
        config.ConsumeResultFields = withHeaders ? "headers" : "none";
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).Build();
        using var applier = new Applier(target);
        var reading = new HashSet<int>();
        foreach (var partition in partitions.Where(target.Wants))
        {
            var offsets = consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), StallTimeout);
            if (offsets.Low.Value > 0)
            {
                // Compaction does not move a log's start (Kafka keeps reporting offset 0 for a
                // compacted partition, KAFKA-7556); deletion does, and the state a key had only in
                // the deleted records is gone (nothing here can bring it back).
                LogHeadDeleted(topic, partition, offsets.Low.Value);
            }

            if (offsets.High.Value == 0)
            {
                applier.ReachedEnd(partition);
            }
            else
            {
                target.Starting(partition, offsets.High.Value - offsets.Low.Value);
                reading.Add(partition);
            }
        }

        consumer.Assign(reading.Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var lastProgress = time.GetTimestamp();
        var lastWantedCheck = lastProgress;
        while (reading.Count > 0 && !cancellationToken.IsCancellationRequested)
        {
            if (time.GetElapsedTime(lastWantedCheck) >= WantedCheck)
            {
                lastWantedCheck = time.GetTimestamp();
                foreach (var dropped in reading.Where(p => !target.Wants(p)).ToList())
                {
                    reading.Remove(dropped);
                    Unassign(consumer, topic, dropped);
                }

                if (reading.Count == 0)
                {
                    break;
                }
            }

            var record = consumer.Consume(PollSlice);
            if (record is null)
            {
                applier.Flush();
                if (time.GetElapsedTime(lastProgress) > StallTimeout)
                {
                    throw new KafkaException(new Error(ErrorCode.Local_TimedOut, $"restoring {topic} [{string.Join(", ", reading.Order())}] stalled"));
                }

                continue;
            }

            lastProgress = time.GetTimestamp();
            var number = record.Partition.Value;
            if (!reading.Contains(number))
            {
                // Fetched before its partition was dropped.
                continue;
            }

            if (record.IsPartitionEOF)
            {
                // Unassigned at once: its owner writes to it from now on, and those records are not a restore's.
                reading.Remove(number);
                Unassign(consumer, topic, number);
                applier.ReachedEnd(number);
            }
            else if (record.Message.Key is { } key)
            {
                applier.Apply(number, key, record.Message.Value, record.Message.Headers);
            }
        }

        applier.Complete();
    }

    private static void Unassign(IConsumer<byte[]?, byte[]?> consumer, string topic, int partition) =>
        consumer.IncrementalUnassign([new TopicPartition(topic, partition)]);

    /// <summary>
    /// Hands records to the target on a thread of its own, in batches, in the order they were read:
    /// parsing a record overlaps with fetching the next ones. A failure of the target's stops the read.
    /// </summary>
    private sealed class Applier : IDisposable
    {
        private const int BatchSize = 256;

        // Enough read ahead to keep the applying thread busy, not a partition's whole log.
        private readonly BlockingCollection<List<Record>> _batches = new(boundedCapacity: 32);
        private readonly IChangelogTarget _target;
        private readonly Thread _thread;
        private List<Record> _batch = new(BatchSize);
        private Exception? _failure;

        public Applier(IChangelogTarget target)
        {
            _target = target;
            _thread = new Thread(Run) { IsBackground = true, Name = "changelog restore" };
            _thread.Start();
        }

        public void Apply(int partition, byte[] key, byte[]? value, Headers? headers) => Add(new Record(partition, key, value, headers));

        public void ReachedEnd(int partition)
        {
            Add(new Record(partition, null, null, null));
            Flush();
        }

        public void Flush()
        {
            if (_batch.Count == 0)
            {
                return;
            }

            ThrowIfFailed();
            try
            {
                _batches.Add(_batch);
            }
            catch (InvalidOperationException) when (_failure is not null)
            {
                // The applying thread gave up: its failure is the read's.
            }

            ThrowIfFailed();
            _batch = new List<Record>(BatchSize);
        }

        /// <summary>Waits until everything added is applied; throws the target's failure.</summary>
        public void Complete()
        {
            Flush();
            _batches.CompleteAdding();
            _thread.Join();
            ThrowIfFailed();
        }

        public void Dispose()
        {
            // Joined whoever completed adding: the applying thread completes it itself when the
            // target fails, and must be out of the collection before it is disposed.
            _batches.CompleteAdding();
            _thread.Join();
            _batches.Dispose();
        }

        private void Add(Record record)
        {
            _batch.Add(record);
            if (_batch.Count == BatchSize)
            {
                Flush();
            }
        }

        private void ThrowIfFailed()
        {
            if (Volatile.Read(ref _failure) is { } failure)
            {
                ExceptionDispatchInfo.Throw(failure);
            }
        }

        private void Run()
        {
            try
            {
                foreach (var batch in _batches.GetConsumingEnumerable())
                {
                    foreach (var record in batch)
                    {
                        if (record.Key is null)
                        {
                            _target.ReachedEnd(record.Partition);
                        }
                        else
                        {
                            _target.Apply(record.Partition, record.Key, record.Value, record.Headers);
                        }
                    }
                }
            }
            catch (Exception ex)
            {
                Volatile.Write(ref _failure, ex);
                _batches.CompleteAdding();
            }
        }

        private readonly record struct Record(int Partition, byte[]? Key, byte[]? Value, Headers? Headers);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Changelog {Topic}[{Partition}] starts at offset {FirstOffset}: the records before it were deleted (a retention, a cleanup.policy other than compact, or the embedded broker's ~5 MB per partition), and any state held only in them is not restored")]
    private partial void LogHeadDeleted(string topic, int partition, long firstOffset);
}
