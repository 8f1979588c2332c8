using System.Globalization;

namespace InviteStream.Core.Events;

/// <summary>Where an event first entered the pipeline: the record the producer wrote.</summary>
public readonly record struct EventOrigin(string Topic, int Partition, long Offset)
{
    /// <summary>Deterministic from where the event sits in its source, so a replay sends the same id.</summary>
    public string RequestId => string.Create(CultureInfo.InvariantCulture, $"{Topic}:{Partition}:{Offset}");

    /// <summary>The origin a <see cref="RequestId"/> names (Kafka topic names hold no colon); false for any other string.</summary>
    public static bool TryParseRequestId(string requestId, out EventOrigin origin)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        origin = default;
        var offsetAt = requestId.LastIndexOf(':');
        var partitionAt = offsetAt > 0 ? requestId.LastIndexOf(':', offsetAt - 1) : -1;
        if (partitionAt <= 0
            || !int.TryParse(requestId.AsSpan(partitionAt + 1, offsetAt - partitionAt - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
            || !long.TryParse(requestId.AsSpan(offsetAt + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return false;
        }

        origin = new EventOrigin(requestId[..partitionAt], partition, offset);
        return true;
    }
}
