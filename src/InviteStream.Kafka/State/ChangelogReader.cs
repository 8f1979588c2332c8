using Confluent.Kafka;
using InviteStream.Kafka.Clients;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.State;

/// <summary>
/// Reads one partition of a compacted changelog from its beginning to its end, record by record,
/// without a consumer group: how every store of the worker is restored before it is used.
/// </summary>
internal sealed class ChangelogReader(IOptions<KafkaOptions> options, TimeProvider time)
{
    private static readonly TimeSpan PollSlice = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Hands every record of <paramref name="partition"/> to <paramref name="apply"/>, in order; stops early when cancelled. Returns how many.</summary>
    public int ReadToEnd(TopicPartition partition, Action<byte[], byte[]?> apply, CancellationToken cancellationToken) =>
        ReadToEnd(partition, (key, value, _) => apply(key, value), withHeaders: false, cancellationToken);

    /// <summary>As <see cref="ReadToEnd(TopicPartition, Action{byte[], byte[]}, CancellationToken)"/>, with each record's headers.</summary>
    public int ReadToEnd(TopicPartition partition, Action<byte[], byte[]?, Headers?> apply, CancellationToken cancellationToken) =>
        ReadToEnd(partition, apply, withHeaders: true, cancellationToken);

    private int ReadToEnd(TopicPartition partition, Action<byte[], byte[]?, Headers?> apply, bool withHeaders, CancellationToken cancellationToken)
    {
        var config = KafkaClientConfig.Restore(options.Value);

        // Each field the client copies into every record costs a call into librdkafka per record,
        // and a restore reads a million of them.
        config.ConsumeResultFields = withHeaders ? "headers" : "none";
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).Build();
        var records = 0;
        if (consumer.QueryWatermarkOffsets(partition, StallTimeout).High.Value == 0)
        {
            return records;
        }

        consumer.Assign(new TopicPartitionOffset(partition, Offset.Beginning));
        var lastProgress = time.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested)
        {
            // Short polls, so a partition taken away mid-restore stops restoring at once.
            var record = consumer.Consume(PollSlice);
            if (record is null)
            {
                if (time.GetElapsedTime(lastProgress) > StallTimeout)
                {
                    throw new KafkaException(new Error(ErrorCode.Local_TimedOut, $"restoring {partition} stalled"));
                }

                continue;
            }

            lastProgress = time.GetTimestamp();
            if (record.IsPartitionEOF)
            {
                break;
            }

            if (record.Message.Key is { } key)
            {
                apply(key, record.Message.Value, record.Message.Headers);
                records++;
            }
        }

        return records;
    }
}
