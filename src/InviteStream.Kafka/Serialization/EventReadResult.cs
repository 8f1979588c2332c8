using InviteStream.Core.Events;

namespace InviteStream.Kafka.Serialization;

/// <summary>A parsed event, or the dead-letter reason why the record is not one.</summary>
internal readonly record struct EventReadResult(BehavioralEvent? Event, string? Error)
{
    public static EventReadResult Failed(string error) => new(null, error);
}
