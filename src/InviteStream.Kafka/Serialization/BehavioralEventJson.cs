using System.Globalization;
using System.Text;
using System.Text.Json;
using InviteStream.Core.Attributes;
using InviteStream.Core.Events;

namespace InviteStream.Kafka.Serialization;

/// <summary>
/// Reads the JSON behavioral event (<c>schemas/behavioral-event.schema.json</c>) in one forward pass
/// over the bytes, without a document. Attribute values keep their native JSON type; a record that
/// does not fit gets a dead-letter reason, checked in the order the fields matter.
/// </summary>
public static class BehavioralEventJson
{
    // Producers send the same few attribute names in every event: one string per name, not per event.
    private static readonly SharedStrings Names = new(maxEntries: 4096, maxBytes: 128);

    // And the same channel ids and short attribute values (locales, pages, flags as text): the first
    // few thousand distinct ones are shared, the rest are read as they come.
    private static readonly SharedStrings CommonValues = new(maxEntries: 4096, maxBytes: 64);

    [ThreadStatic]
    private static List<KeyValuePair<string, AttributeValue>>? _attributeScratch;

    public static EventReadResult Read(ReadOnlySpan<byte> utf8)
    {
        // The reader checks UTF-8 only where it decodes a string, and then throws: check it all up front (vectorised).
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            return EventReadResult.Failed("invalid_utf8");
        }

        var fields = new Fields();
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return EventReadResult.Failed("invalid_json");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                ReadProperty(ref reader, ref fields);
            }

            // Anything but whitespace after the root object is not one JSON document.
            if (reader.Read())
            {
                return EventReadResult.Failed("invalid_json");
            }
        }
        catch (JsonException)
        {
            return EventReadResult.Failed("invalid_json");
        }
        catch (InvalidOperationException)
        {
            // Valid UTF-8 whose escapes name no character, e.g. a lone surrogate "\ud800".
            return EventReadResult.Failed("invalid_unicode_escape");
        }

        return fields.ToResult();
    }

    private static void ReadProperty(ref Utf8JsonReader reader, ref Fields fields)
    {
        if (reader.ValueTextEquals("contactId"u8))
        {
            fields.ContactId = ReadString(ref reader);
        }
        else if (reader.ValueTextEquals("eventId"u8))
        {
            fields.EventId = ReadString(ref reader);
        }
        else if (reader.ValueTextEquals("channelId"u8))
        {
            reader.Read();
            fields.ChannelId = reader.TokenType == JsonTokenType.String ? CommonValues.Of(ref reader) : null;
            reader.Skip();
        }
        else if (reader.ValueTextEquals("occurredAt"u8))
        {
            reader.Read();
            fields.OccurredAt = reader.TokenType == JsonTokenType.String ? ReadTimestamp(ref reader) : null;
            reader.Skip();
        }
        else if (reader.ValueTextEquals("correlationId"u8))
        {
            reader.Read();
            fields.CorrelationInvalid = reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null);
            fields.CorrelationId = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            reader.Skip();
        }
        else if (reader.ValueTextEquals("attributes"u8))
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                fields.Attributes = ReadAttributes(ref reader, out fields.AttributeError);
            }
            else
            {
                fields.Attributes = null;
                reader.Skip();
            }
        }
        else
        {
            reader.Read();
            reader.Skip();
        }
    }

    private static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        var value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        reader.Skip();
        return value;
    }

    private static DateTimeOffset? ReadTimestamp(ref Utf8JsonReader reader)
    {
        // The common ISO 8601 UTC form parses straight from the bytes; anything else as before, as text assumed UTC.
        if (!reader.ValueIsEscaped && reader.ValueSpan is [.., (byte)'Z'] && reader.TryGetDateTimeOffset(out var fast))
        {
            return fast;
        }

        return DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : null;
    }

    private static IReadOnlyDictionary<string, AttributeValue> ReadAttributes(ref Utf8JsonReader reader, out string? error)
    {
        error = null;
        var attributes = _attributeScratch ??= new List<KeyValuePair<string, AttributeValue>>(16);
        attributes.Clear();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = Names.Of(ref reader);
            reader.Read();
            if (error is null && TryReadValue(ref reader, out var value))
            {
                attributes.Add(new(name, value));
            }
            else
            {
                error ??= $"unsupported_attribute_type:{name}";
                reader.Skip();
            }
        }

        var map = AttributeDictionary.Of(attributes);
        attributes.Clear();
        return map;
    }

    private static bool TryReadValue(ref Utf8JsonReader reader, out AttributeValue value)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                value = AttributeValue.FromString(CommonValues.Of(ref reader));
                return true;
            case JsonTokenType.True:
            case JsonTokenType.False:
                value = AttributeValue.FromBoolean(reader.GetBoolean());
                return true;
            case JsonTokenType.Number:
                // 45 and 45.0 are different literals: only the first is an integer.
                if (reader.ValueSpan.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0 && reader.TryGetInt64(out var integer))
                {
                    value = AttributeValue.FromInteger(integer);
                    return true;
                }

                var isFinite = reader.TryGetDouble(out var number) && double.IsFinite(number);
                value = isFinite ? AttributeValue.FromFloat(number) : default;
                return isFinite;
            case JsonTokenType.StartArray:
                return TryReadStringList(ref reader, out value);
            default:
                value = default;
                return false;
        }
    }

    private static bool TryReadStringList(ref Utf8JsonReader reader, out AttributeValue value)
    {
        var depth = reader.CurrentDepth;
        var items = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                // Leave the reader on this array's end, whatever is nested in it.
                while (reader.TokenType != JsonTokenType.EndArray || reader.CurrentDepth != depth)
                {
                    reader.Read();
                }

                value = default;
                return false;
            }

            items.Add(reader.GetString()!);
        }

        value = AttributeValue.FromStringList([.. items]);
        return true;
    }

    private struct Fields
    {
        public string? ContactId;
        public string? EventId;
        public string? ChannelId;
        public DateTimeOffset? OccurredAt;
        public string? CorrelationId;
        public bool CorrelationInvalid;
        public IReadOnlyDictionary<string, AttributeValue>? Attributes;
        public string? AttributeError;

        public readonly EventReadResult ToResult()
        {
            if (string.IsNullOrEmpty(ContactId))
            {
                return EventReadResult.Failed("missing_contact_id");
            }

            if (string.IsNullOrEmpty(EventId))
            {
                return EventReadResult.Failed("missing_field:eventId");
            }

            if (string.IsNullOrEmpty(ChannelId))
            {
                return EventReadResult.Failed("missing_field:channelId");
            }

            if (OccurredAt is not { } occurredAt)
            {
                return EventReadResult.Failed("invalid_occurred_at");
            }

            if (CorrelationInvalid)
            {
                return EventReadResult.Failed("invalid_field:correlationId");
            }

            if (Attributes is null)
            {
                return EventReadResult.Failed("missing_field:attributes");
            }

            return AttributeError is not null
                ? EventReadResult.Failed(AttributeError)
                : new EventReadResult(new BehavioralEvent(EventId, ContactId, ChannelId, occurredAt, Attributes, CorrelationId), null);
        }
    }
}
