using System.Globalization;
using System.Text;
using Confluent.Kafka;
using InviteStream.Core.Events;

namespace InviteStream.Kafka.Serialization;

/// <summary>
/// A re-keyed record carries where it first entered the pipeline in <c>x-origin-*</c> headers, so
/// outcomes, dead letters and the <c>requestId</c> name the record the producer wrote, and a replay
/// of the source topic keeps its request ids.
/// </summary>
internal static class OriginHeaders
{
    public const string Topic = "x-origin-topic";
    public const string Partition = "x-origin-partition";
    public const string Offset = "x-origin-offset";

    /// <summary>The origin named in the record's headers, or the record itself.</summary>
    public static EventOrigin Of<TKey, TValue>(ConsumeResult<TKey, TValue> record)
    {
        var headers = record.Message.Headers;
        if (headers is { Count: > 0 }
            && headers.TryGetLastBytes(Topic, out var topic)
            && headers.TryGetLastBytes(Partition, out var partition)
            && headers.TryGetLastBytes(Offset, out var offset)
            && int.TryParse(partition, NumberStyles.None, CultureInfo.InvariantCulture, out var partitionNumber)
            && long.TryParse(offset, NumberStyles.None, CultureInfo.InvariantCulture, out var offsetNumber))
        {
            return new EventOrigin(Encoding.UTF8.GetString(topic), partitionNumber, offsetNumber);
        }

        return new EventOrigin(record.Topic, record.Partition.Value, record.Offset.Value);
    }

    /// <summary>A copy of the record's headers that names its origin (an origin it already names is kept).</summary>
    public static Headers CopyWithOrigin<TKey, TValue>(ConsumeResult<TKey, TValue> record)
    {
        var headers = Copy(record.Message.Headers);
        if (!headers.TryGetLastBytes(Topic, out _))
        {
            var origin = Of(record);
            headers.Add(Topic, Encoding.UTF8.GetBytes(origin.Topic));
            headers.Add(Partition, Encoding.UTF8.GetBytes(origin.Partition.ToString(CultureInfo.InvariantCulture)));
            headers.Add(Offset, Encoding.UTF8.GetBytes(origin.Offset.ToString(CultureInfo.InvariantCulture)));
        }

        return headers;
    }

    public static Headers Copy(Headers? source)
    {
        var headers = new Headers();
        foreach (var header in source ?? [])
        {
            headers.Add(header.Key, header.GetValueBytes());
        }

        return headers;
    }
}
