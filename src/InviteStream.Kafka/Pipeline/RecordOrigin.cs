using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// Where an event first entered the pipeline. A re-keyed record carries its source coordinates in
/// <c>x-origin-*</c> headers, so outcomes, dead letters and the <c>requestId</c> name the record the
/// producer wrote, and a replay of the source topic keeps its request ids.
/// </summary>
internal readonly record struct RecordOrigin(string Topic, int Partition, long Offset)
{
    public const string TopicHeader = "x-origin-topic";
    public const string PartitionHeader = "x-origin-partition";
    public const string OffsetHeader = "x-origin-offset";

    /// <summary>Deterministic from where the event sits in Kafka, so a replay sends the same id.</summary>
    public string RequestId => string.Create(CultureInfo.InvariantCulture, $"{Topic}:{Partition}:{Offset}");

    public static RecordOrigin Of<TKey>(ConsumeResult<TKey, byte[]> record)
    {
        var headers = record.Message.Headers;
        if (headers is { Count: > 0 }
            && headers.TryGetLastBytes(TopicHeader, out var topic)
            && headers.TryGetLastBytes(PartitionHeader, out var partition)
            && headers.TryGetLastBytes(OffsetHeader, out var offset)
            && int.TryParse(partition, NumberStyles.None, CultureInfo.InvariantCulture, out var partitionNumber)
            && long.TryParse(offset, NumberStyles.None, CultureInfo.InvariantCulture, out var offsetNumber))
        {
            return new RecordOrigin(Encoding.UTF8.GetString(topic), partitionNumber, offsetNumber);
        }

        return new RecordOrigin(record.Topic, record.Partition.Value, record.Offset.Value);
    }

    /// <summary>Adds this origin to <paramref name="headers"/>.</summary>
    public void WriteTo(Headers headers)
    {
        headers.Add(TopicHeader, Encoding.UTF8.GetBytes(Topic));
        headers.Add(PartitionHeader, Encoding.UTF8.GetBytes(Partition.ToString(CultureInfo.InvariantCulture)));
        headers.Add(OffsetHeader, Encoding.UTF8.GetBytes(Offset.ToString(CultureInfo.InvariantCulture)));
    }
}
