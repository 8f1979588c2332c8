using System.Globalization;

namespace InviteStream.Core.Events;

/// <summary>Where an event first entered the pipeline: the record the producer wrote.</summary>
public readonly record struct EventOrigin(string Topic, int Partition, long Offset)
{
    /// <summary>Deterministic from where the event sits in its source, so a replay sends the same id.</summary>
    public string RequestId => string.Create(CultureInfo.InvariantCulture, $"{Topic}:{Partition}:{Offset}");
}
