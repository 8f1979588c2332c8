using System.Globalization;
using System.Text.Json;
using InviteStream.Core.Attributes;
using InviteStream.Core.Events;

namespace InviteStream.Kafka.Serialization;

/// <summary>
/// Reads the JSON behavioral event (<c>schemas/behavioral-event.schema.json</c>). Attribute values
/// keep their native JSON type; a record that does not fit gets a dead-letter reason.
/// </summary>
internal static class BehavioralEventJson
{
    public static EventReadResult Read(ReadOnlyMemory<byte> utf8)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8);
        }
        catch (JsonException)
        {
            return EventReadResult.Failed("invalid_json");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return EventReadResult.Failed("invalid_json");
            }

            if (!TryString(root, "contactId", out var contactId) || contactId.Length == 0)
            {
                return EventReadResult.Failed("missing_contact_id");
            }

            if (!TryString(root, "eventId", out var eventId) || eventId.Length == 0)
            {
                return EventReadResult.Failed("missing_field:eventId");
            }

            if (!TryString(root, "channelId", out var channelId) || channelId.Length == 0)
            {
                return EventReadResult.Failed("missing_field:channelId");
            }

            if (!TryString(root, "occurredAt", out var occurredText)
                || !DateTimeOffset.TryParse(occurredText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var occurredAt))
            {
                return EventReadResult.Failed("invalid_occurred_at");
            }

            string? correlationId = null;
            if (root.TryGetProperty("correlationId", out var correlation) && correlation.ValueKind != JsonValueKind.Null)
            {
                if (correlation.ValueKind != JsonValueKind.String)
                {
                    return EventReadResult.Failed("invalid_field:correlationId");
                }

                correlationId = correlation.GetString();
            }

            if (!root.TryGetProperty("attributes", out var attributesElement) || attributesElement.ValueKind != JsonValueKind.Object)
            {
                return EventReadResult.Failed("missing_field:attributes");
            }

            // Sized up front: growing a dictionary per event was the top allocation of the decision path.
            var count = 0;
            foreach (var unused in attributesElement.EnumerateObject())
            {
                count++;
            }

            var attributes = new Dictionary<string, AttributeValue>(count, StringComparer.Ordinal);
            foreach (var property in attributesElement.EnumerateObject())
            {
                if (!AttributeJson.TryRead(property.Value, out var value, out _))
                {
                    return EventReadResult.Failed($"unsupported_attribute_type:{property.Name}");
                }

                attributes[property.Name] = value;
            }

            return new EventReadResult(
                new BehavioralEvent(eventId, contactId, channelId, occurredAt, attributes, correlationId), null);
        }
    }

    private static bool TryString(JsonElement root, string name, out string value)
    {
        if (root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String)
        {
            value = element.GetString()!;
            return true;
        }

        value = "";
        return false;
    }
}
