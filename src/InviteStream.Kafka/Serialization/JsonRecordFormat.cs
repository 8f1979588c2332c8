using InviteStream.Core.Outcomes;

namespace InviteStream.Kafka.Serialization;

internal sealed class JsonRecordFormat : IRecordFormat
{
    public ValueTask<EventReadResult> ReadEventAsync(string topic, byte[] value) =>
        ValueTask.FromResult(BehavioralEventJson.Read(value));

    public ValueTask<byte[]> WriteOutcomeAsync(string topic, InviteOutcome outcome) =>
        ValueTask.FromResult(OutcomeJson.Write(outcome));

    public ValueTask<byte[]> WriteStatsAsync(string topic, StatsRecord stats) => ValueTask.FromResult(StatsJson.Write(stats));

    public ValueTask<StatsRecord?> ReadStatsAsync(string topic, byte[] value) => ValueTask.FromResult(StatsJson.Read(value));
}
