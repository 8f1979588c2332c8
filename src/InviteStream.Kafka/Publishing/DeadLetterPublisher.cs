using System.Globalization;
using System.Text;
using Confluent.Kafka;
using InviteStream.Kafka.Pipeline;
using InviteStream.Kafka.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.Publishing;

/// <summary>
/// Writes records that are not events to the dead-letter topic: the original key, value and headers,
/// plus <c>x-error-reason</c> and where the record came from. A record too large for the producer
/// is written as a truncated copy with the reason <c>record_too_large</c> and its original size,
/// never retried forever.
/// </summary>
internal sealed partial class DeadLetterPublisher(
    RecordPublisher publisher, IOptions<KafkaOptions> options, PipelineStatistics statistics, ILogger<DeadLetterPublisher> logger)
{
    public const string ReasonHeader = "x-error-reason";
    public const string OriginalSizeHeader = "x-original-size";

    /// <summary>How much of a too-large record's value (and key) the truncated copy keeps.</summary>
    public const int TruncatedBytes = 16 * 1024;

    public async Task PublishAsync(ConsumeResult<byte[]?, byte[]?> source, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var destination = new TopicPartition(options.Value.DeadLetterTopic, Partition.Any);
        try
        {
            await publisher.ProduceAsync(destination, DeadLetter(source, reason), cancellationToken);
        }
        catch (ProduceException<byte[]?, byte[]?> ex) when (RecordPublisher.IsTooLarge(ex.Error))
        {
            reason = "record_too_large";
            try
            {
                await publisher.ProduceAsync(destination, Truncated(source, keepHeaders: true), cancellationToken);
            }
            catch (ProduceException<byte[]?, byte[]?> again) when (RecordPublisher.IsTooLarge(again.Error))
            {
                // The headers alone are too large: only ours are left.
                await publisher.ProduceAsync(destination, Truncated(source, keepHeaders: false), cancellationToken);
            }
        }

        statistics.DeadLetterPublished(reason);
        LogDeadLettered(reason, source.Topic, source.Partition.Value, source.Offset.Value);
    }

    /// <summary>The dead letter for <paramref name="source"/>: its key, value and headers, the reason, and its origin.</summary>
    public static Message<byte[]?, byte[]?> DeadLetter(ConsumeResult<byte[]?, byte[]?> source, string reason) =>
        DeadLetter(source, reason, OriginHeaders.Copy(source?.Message.Headers));

    private static Message<byte[]?, byte[]?> DeadLetter(ConsumeResult<byte[]?, byte[]?> source, string reason, Headers headers)
    {
        ArgumentNullException.ThrowIfNull(source);
        var origin = OriginHeaders.Of(source);
        headers.Add(ReasonHeader, Encoding.UTF8.GetBytes(reason));
        headers.Add("x-source-topic", Encoding.UTF8.GetBytes(origin.Topic));
        headers.Add("x-source-partition", Encoding.UTF8.GetBytes(origin.Partition.ToString(CultureInfo.InvariantCulture)));
        headers.Add("x-source-offset", Encoding.UTF8.GetBytes(origin.Offset.ToString(CultureInfo.InvariantCulture)));
        return new Message<byte[]?, byte[]?> { Key = source.Message.Key, Value = source.Message.Value, Headers = headers };
    }

    private static Message<byte[]?, byte[]?> Truncated(ConsumeResult<byte[]?, byte[]?> source, bool keepHeaders)
    {
        var size = (source.Message.Key?.LongLength ?? 0) + (source.Message.Value?.LongLength ?? 0)
            + (source.Message.Headers?.Sum(h => (long)h.Key.Length + (h.GetValueBytes()?.Length ?? 0)) ?? 0);
        var message = DeadLetter(source, "record_too_large", keepHeaders ? OriginHeaders.Copy(source.Message.Headers) : []);
        message.Headers.Add(OriginalSizeHeader, Encoding.UTF8.GetBytes(size.ToString(CultureInfo.InvariantCulture)));
        message.Key = Cut(message.Key);
        message.Value = Cut(message.Value);
        return message;
    }

    private static byte[]? Cut(byte[]? bytes) => bytes is { Length: > TruncatedBytes } ? bytes[..TruncatedBytes] : bytes;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Record sent to the dead-letter topic: {Reason} ({Topic}/{Partition}@{Offset})")]
    private partial void LogDeadLettered(string reason, string topic, int partition, long offset);
}
