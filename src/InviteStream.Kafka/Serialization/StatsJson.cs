using System.Text.Json;
using InviteStream.Serialization;
using InviteStream.Core;
using InviteStream.Core.Stats;

namespace InviteStream.Kafka.Serialization;

/// <summary>
/// Writes and reads the per-campaign, per-minute statistics record (<c>schemas/invite-stats.schema.json</c>):
/// the value of the <c>invite-stats</c> topic, and of the partial counts the worker sends itself.
/// </summary>
public static class StatsJson
{
    public static byte[] Write(StatsRecord stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        return JsonBytes.Write(stats, static (writer, stats) =>
        {
            var (key, counts) = (stats.Window, stats.Counts);
            writer.WriteStartObject();
            writer.WriteString("campaignId", key.CampaignId);
            InternalJson.WriteTime(writer, "windowStart", key.Minute);
            InternalJson.WriteTime(writer, "windowEnd", key.End);
            writer.WriteNumber("eventsEvaluated", counts.EventsEvaluated);
            writer.WriteNumber("eventsMatched", counts.EventsMatched);
            writer.WriteStartArray("filterResults");
            foreach (var ((attribute, kind), count) in counts.FilterResults.OrderBy(f => f.Key.Attribute, StringComparer.Ordinal).ThenBy(f => f.Key.Kind, StringComparer.Ordinal))
            {
                writer.WriteStartObject();
                writer.WriteString("attribute", attribute);
                writer.WriteString("kind", kind);
                writer.WriteNumber("count", count);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            WriteMap(writer, "outcomes", counts.Outcomes);
            WriteMap(writer, "suppressedBy", counts.SuppressedBy);
            writer.WriteNumber("revision", stats.Revision);
            InternalJson.WriteTime(writer, "updatedAt", stats.UpdatedAt);
            writer.WriteEndObject();
        });
    }

    /// <summary>The record, or null when the bytes are not one.</summary>
    public static StatsRecord? Read(ReadOnlySpan<byte> value)
    {
        try
        {
            using var document = JsonDocument.Parse(value.ToArray());
            var root = document.RootElement;
            var minute = root.GetProperty("windowStart").GetDateTimeOffset();
            var counts = new WindowCounts
            {
                EventsEvaluated = root.GetProperty("eventsEvaluated").GetInt64(),
                EventsMatched = root.GetProperty("eventsMatched").GetInt64(),
            };
            foreach (var filter in root.GetProperty("filterResults").EnumerateArray())
            {
                counts.FilterResults[(filter.GetProperty("attribute").GetString()!, filter.GetProperty("kind").GetString()!)] = filter.GetProperty("count").GetInt64();
            }

            ReadMap(root.GetProperty("outcomes"), counts.Outcomes);
            ReadMap(root.GetProperty("suppressedBy"), counts.SuppressedBy);
            return new StatsRecord(
                StatsWindowKey.Of(root.GetProperty("campaignId").GetString(), minute),
                counts,
                root.GetProperty("revision").GetInt32(),
                root.GetProperty("updatedAt").GetDateTimeOffset());
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static void WriteMap(Utf8JsonWriter writer, string name, Dictionary<string, long> counts)
    {
        writer.WriteStartObject(name);
        foreach (var (key, count) in counts.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            writer.WriteNumber(key, count);
        }

        writer.WriteEndObject();
    }

    private static void ReadMap(JsonElement element, Dictionary<string, long> into)
    {
        foreach (var property in element.EnumerateObject())
        {
            into[property.Name] = property.Value.GetInt64();
        }
    }
}

/// <summary>
/// One record of <c>invite-stats</c>: a campaign's minute of event time, as counted so far.
/// <paramref name="Revision"/> is 1 when the window is first published at its close and grows with
/// each update by late events.
/// </summary>
public sealed record StatsRecord(StatsWindowKey Window, WindowCounts Counts, int Revision, DateTimeOffset UpdatedAt);
