using System.Text.Json;
using InviteStream.Core.Outcomes;
using InviteStream.Core;
using InviteStream.Serialization;

namespace InviteStream.Kafka.Serialization;

/// <summary>Writes the outcome record (<c>schemas/invite-outcome.schema.json</c>).</summary>
public static class OutcomeJson
{
    public static byte[] Write(InviteOutcome outcome) => JsonBytes.Write(outcome, static (writer, outcome) =>
    {
        writer.WriteStartObject();
        writer.WriteString("contactId", outcome.ContactId);
        WriteNullable(writer, "campaignId", outcome.CampaignId);
        writer.WriteString("eventId", outcome.EventId);
        writer.WriteString("status", OutcomeStatusNames.ToWire(outcome.Status));
        WriteNullable(writer, "reason", outcome.Reason);
        writer.WriteString("requestId", outcome.RequestId);
        WriteNullable(writer, "correlationId", outcome.CorrelationId);
        InternalJson.WriteTime(writer, "occurredAt", outcome.OccurredAt);
        InternalJson.WriteTime(writer, "decidedAt", outcome.DecidedAt);
        writer.WriteNumber("decisionLatencyMs", Math.Round(outcome.DecisionLatencyMs, 3));
        writer.WriteString("sourceTopic", outcome.SourceTopic);
        writer.WriteNumber("sourcePartition", outcome.SourcePartition);
        writer.WriteNumber("sourceOffset", outcome.SourceOffset);
        WriteNullable(writer, "suppressedUntil", outcome.SuppressedUntil is { } until ? IsoTimestamp.Format(until) : null);
        writer.WriteEndObject();
    });

    private static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
