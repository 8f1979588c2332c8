using Confluent.Kafka;
using Confluent.SchemaRegistry;
using InviteStream.Core.Events;
using InviteStream.Kafka.Clients;
using InviteStream.Kafka.Serialization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.Replay;

/// <summary>
/// The records of a topic whose timestamps fall in [from, to), read for a replay: the range is
/// resolved with offsets-for-times and read by assignment (no group is joined and nothing is ever
/// committed), so the live group's offsets are untouched. Each record is the event in it (JSON
/// or Avro, as <c>Serialization:Format</c> says) or the reason it would have been dead-lettered.
/// </summary>
public sealed class TopicRangeReader : IDisposable
{
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private readonly EventRecordReader _reader;
    private readonly StandaloneRecordFormat _format;
    private readonly Dictionary<int, (long Start, long End)> _ranges;

    private TopicRangeReader(IConsumer<byte[]?, byte[]?> consumer, EventRecordReader reader, StandaloneRecordFormat format, string topic, Dictionary<int, (long Start, long End)> ranges)
    {
        _consumer = consumer;
        _reader = reader;
        _format = format;
        _ranges = ranges;
        Topic = topic;
        Total = ranges.Values.Sum(r => r.End - r.Start);
    }

    public string Topic { get; }

    /// <summary>Offsets in the range, over all partitions (records, plus any transaction markers among them).</summary>
    public long Total { get; }

    /// <summary>Offsets of the range read so far.</summary>
    public long Consumed { get; private set; }

    /// <summary>Resolves the range of every partition of <paramref name="topic"/>; throws when the topic does not exist.</summary>
    public static TopicRangeReader Open(
        KafkaOptions kafka, SerializationOptions serialization, PipelineOptions pipeline, string topic, DateTimeOffset from, DateTimeOffset to, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(serialization);
        ArgumentNullException.ThrowIfNull(pipeline);
        var consumer = new ConsumerBuilder<byte[]?, byte[]?>(KafkaClientConfig.RangeReader(kafka)).Build();
        try
        {
            var partitions = TopicPartitions.Of(kafka, topic, timeout);
            var starts = consumer.OffsetsForTimes([.. partitions.Select(p => new TopicPartitionTimestamp(topic, p, new Timestamp(from.UtcDateTime)))], timeout);
            var ends = consumer.OffsetsForTimes([.. partitions.Select(p => new TopicPartitionTimestamp(topic, p, new Timestamp(to.UtcDateTime)))], timeout);
            var ranges = new Dictionary<int, (long Start, long End)>();
            foreach (var partition in partitions)
            {
                var tp = new TopicPartition(topic, partition);
                var watermarks = consumer.QueryWatermarkOffsets(tp, timeout);
                var start = OffsetAt(consumer, tp, from, starts.Single(o => o.Partition.Value == partition).Offset, watermarks, timeout);
                var end = OffsetAt(consumer, tp, to, ends.Single(o => o.Partition.Value == partition).Offset, watermarks, timeout);
                ranges[partition] = (start, Math.Max(start, end));
            }

            // The live worker's reader: the same checks, so a bad record gets the reason it was dead-lettered with.
            var format = new StandaloneRecordFormat(serialization);
            var reader = new EventRecordReader(format.Format, Options.Create(pipeline), TimeProvider.System, NullLogger<EventRecordReader>.Instance);
            return new TopicRangeReader(consumer, reader, format, topic, ranges);
        }
        catch
        {
            consumer.Dispose();
            throw;
        }
    }

    // The first offset whose record is stamped at or after `time`: what offsets-for-times said, or —
    // when it said "none" of a partition whose last record is that recent (a broker that does not
    // index timestamps, like the embedded one) — a binary search over the records' timestamps.
    private static long OffsetAt(IConsumer<byte[]?, byte[]?> consumer, TopicPartition partition, DateTimeOffset time, Offset found, WatermarkOffsets watermarks, TimeSpan timeout)
    {
        var (low, high) = (watermarks.Low.Value, watermarks.High.Value);
        if (found.Value >= 0 || high <= low)
        {
            return found.Value >= 0 ? found.Value : high;
        }

        var wanted = time.ToUnixTimeMilliseconds();

        // Ranges mostly start before a partition's first record or end after its last: one look each.
        if (FirstRecordFrom(consumer, partition, low, high, timeout) is not { } first || first.Message.Timestamp.UnixTimestampMs >= wanted)
        {
            consumer.Unassign();
            return low;
        }

        if (FirstRecordFrom(consumer, partition, high - 1, high, timeout) is { } last && last.Message.Timestamp.UnixTimestampMs < wanted)
        {
            consumer.Unassign();
            return high;
        }

        low = first.Offset.Value + 1;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (FirstRecordFrom(consumer, partition, middle, high, timeout) is { } record && record.Message.Timestamp.UnixTimestampMs < wanted)
            {
                low = record.Offset.Value + 1;
            }
            else
            {
                // No record from `middle` before `high` is older: starting at `middle` reads the same records.
                high = middle;
            }
        }

        consumer.Unassign();
        return low;
    }

    private static ConsumeResult<byte[]?, byte[]?>? FirstRecordFrom(IConsumer<byte[]?, byte[]?> consumer, TopicPartition partition, long offset, long end, TimeSpan timeout)
    {
        consumer.Assign(new TopicPartitionOffset(partition, offset));
        using var deadline = new CancellationTokenSource(timeout);
        var record = consumer.Consume(deadline.Token);
        return record.IsPartitionEOF || record.Offset.Value >= end ? null : record;
    }

    /// <summary>Every record of the range, partition by partition interleaved as the broker serves them.</summary>
    /// <param name="knownCampaign">Whether a campaign id named by a record's <c>x-campaign-id</c> header exists.</param>
    public IEnumerable<(EventOrigin Origin, EventReadResult Read)> Records(Func<string, bool> knownCampaign, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(knownCampaign);

        // Partition → the next offset to read, until it reaches the range's end.
        var next = _ranges.Where(r => r.Value.End > r.Value.Start).ToDictionary(r => r.Key, r => r.Value.Start);
        _consumer.Assign(next.Select(r => new TopicPartitionOffset(Topic, r.Key, r.Value)));
        while (next.Count > 0)
        {
            var record = _consumer.Consume(cancellationToken);
            var partition = record.Partition.Value;
            if (!next.TryGetValue(partition, out var position))
            {
                continue;
            }

            var end = _ranges[partition].End;
            if (record.IsPartitionEOF || record.Offset.Value >= end)
            {
                Finish(next, partition, position, end);
                continue;
            }

            // Offsets skipped (transaction markers, compacted records) count as read.
            Consumed += record.Offset.Value + 1 - position;
            next[partition] = record.Offset.Value + 1;
            var pending = _reader.ReadAsync(record, cancellationToken);
            var read = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
            yield return (OriginHeaders.Of(record), CampaignHeader.Apply(record, read, knownCampaign));
            if (record.Offset.Value + 1 >= end)
            {
                Finish(next, partition, end, end);
            }
        }
    }

    public void Dispose()
    {
        _consumer.Close();
        _consumer.Dispose();
        _format.Dispose();
    }

    private void Finish(Dictionary<int, long> next, int partition, long position, long end)
    {
        Consumed += end - position;
        next.Remove(partition);
        _consumer.IncrementalUnassign([new TopicPartition(Topic, partition)]);
    }
}
