using InviteStream.Core.Events;

namespace InviteStream.Kafka.Serialization;

/// <summary>A parsed event, or the dead-letter reason why the record is not one.</summary>
/// <param name="OnlyCampaigns">Campaign ids named by the record's <c>x-campaign-id</c> header, if any.</param>
public readonly record struct EventReadResult(BehavioralEvent? Event, string? Error, IReadOnlyCollection<string>? OnlyCampaigns = null)
{
    public static EventReadResult Failed(string error) => new(null, error);
}
