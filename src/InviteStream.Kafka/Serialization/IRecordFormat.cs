using InviteStream.Core.Outcomes;

namespace InviteStream.Kafka.Serialization;

/// <summary>Reads behavioral events from and writes outcomes and statistics to Kafka record values, in one configured format.</summary>
internal interface IRecordFormat
{
    /// <summary>The event, or a dead-letter reason when the bytes are not one. Throws only for transient failures (registry unreachable).</summary>
    ValueTask<EventReadResult> ReadEventAsync(string topic, byte[] value);

    ValueTask<byte[]> WriteOutcomeAsync(string topic, InviteOutcome outcome);

    ValueTask<byte[]> WriteStatsAsync(string topic, StatsRecord stats);

    /// <summary>The statistics record, or null when the bytes are not one.</summary>
    ValueTask<StatsRecord?> ReadStatsAsync(string topic, byte[] value);
}
