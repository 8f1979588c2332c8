using System.Net;
using Avro;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using InviteStream.Core.Attributes;
using InviteStream.Core.Events;
using InviteStream.Core.Outcomes;
using InviteStream.Core.Stats;

namespace InviteStream.Kafka.Serialization;

/// <summary>
/// Avro records in the Confluent wire format (magic byte 0, 4-byte schema id, Avro binary), with
/// the real Confluent serializers. Events are read with the writer's schema from the registry and
/// mapped by field name, so producers may add fields (with defaults) without breaking the worker.
/// Outcomes are written with <c>schemas/invite-outcome.avsc</c> under the topic's value subject.
/// </summary>
internal sealed class AvroRecordFormat : IRecordFormat
{
    private static readonly RecordSchema OutcomeSchema = (RecordSchema)Avro.Schema.Parse(SchemaFiles.Read("invite-outcome.avsc"));
    private static readonly EnumSchema StatusSchema = (EnumSchema)OutcomeSchema["status"].Schema;
    private static readonly RecordSchema StatsSchema = (RecordSchema)Avro.Schema.Parse(SchemaFiles.Read("invite-stats.avsc"));
    private static readonly RecordSchema FilterCountSchema = (RecordSchema)((ArraySchema)StatsSchema["filterResults"].Schema).ItemSchema;
    private readonly AvroDeserializer<GenericRecord> _deserializer;
    private readonly AvroSerializer<GenericRecord> _serializer;

    public AvroRecordFormat(ISchemaRegistryClient registry, bool autoRegisterSchemas)
    {
        _deserializer = new AvroDeserializer<GenericRecord>(registry);
        _serializer = new AvroSerializer<GenericRecord>(registry, new AvroSerializerConfig { AutoRegisterSchemas = autoRegisterSchemas });
    }

    public async ValueTask<EventReadResult> ReadEventAsync(string topic, byte[] value)
    {
        GenericRecord record;
        try
        {
            record = await _deserializer.DeserializeAsync(value, isNull: false, new SerializationContext(MessageComponentType.Value, topic));
        }
        catch (SchemaRegistryException ex) when (ex.Status == HttpStatusCode.NotFound)
        {
            return EventReadResult.Failed("unknown_schema_id");
        }
        catch (Exception ex) when (ex is InvalidDataException or AvroException or EndOfStreamException or InvalidCastException or ArgumentException)
        {
            return EventReadResult.Failed("invalid_avro");
        }

        return Map(record);
    }

    public async ValueTask<byte[]> WriteOutcomeAsync(string topic, InviteOutcome outcome) =>
        await _serializer.SerializeAsync(ToRecord(outcome), new SerializationContext(MessageComponentType.Value, topic));

    public async ValueTask<byte[]> WriteStatsAsync(string topic, StatsRecord stats) =>
        await _serializer.SerializeAsync(ToRecord(stats), new SerializationContext(MessageComponentType.Value, topic));

    public async ValueTask<StatsRecord?> ReadStatsAsync(string topic, byte[] value)
    {
        try
        {
            var record = await _deserializer.DeserializeAsync(value, isNull: false, new SerializationContext(MessageComponentType.Value, topic));
            var counts = new WindowCounts { EventsEvaluated = (long)record["eventsEvaluated"], EventsMatched = (long)record["eventsMatched"] };
            foreach (var filter in ((object[])record["filterResults"]).Cast<GenericRecord>())
            {
                counts.FilterResults[((string)filter["attribute"], (string)filter["kind"])] = (long)filter["count"];
            }

            foreach (var (status, count) in (IDictionary<string, object>)record["outcomes"])
            {
                counts.Outcomes[status] = (long)count;
            }

            foreach (var (reason, count) in (IDictionary<string, object>)record["suppressedBy"])
            {
                counts.SuppressedBy[reason] = (long)count;
            }

            return new StatsRecord(
                StatsWindowKey.Of((string)record["campaignId"], ToTimestamp(record["windowStart"]) ?? throw new InvalidDataException("windowStart")),
                counts,
                (int)record["revision"],
                ToTimestamp(record["updatedAt"]) ?? throw new InvalidDataException("updatedAt"));
        }
        catch (Exception ex) when (ex is InvalidDataException or AvroException or EndOfStreamException or InvalidCastException or ArgumentException or KeyNotFoundException)
        {
            return null;
        }
    }

    internal static GenericRecord ToRecord(StatsRecord stats)
    {
        var record = new GenericRecord(StatsSchema);
        record.Add("campaignId", stats.Window.CampaignId);
        record.Add("windowStart", stats.Window.Minute.UtcDateTime);
        record.Add("windowEnd", stats.Window.End.UtcDateTime);
        record.Add("eventsEvaluated", stats.Counts.EventsEvaluated);
        record.Add("eventsMatched", stats.Counts.EventsMatched);
        record.Add("filterResults", stats.Counts.FilterResults
            .OrderBy(f => f.Key.Attribute, StringComparer.Ordinal).ThenBy(f => f.Key.Kind, StringComparer.Ordinal)
            .Select(f =>
            {
                var item = new GenericRecord(FilterCountSchema);
                item.Add("attribute", f.Key.Attribute);
                item.Add("kind", f.Key.Kind);
                item.Add("count", f.Value);
                return (object)item;
            })
            .ToArray());
        record.Add("outcomes", stats.Counts.Outcomes.ToDictionary(o => o.Key, o => (object)o.Value));
        record.Add("suppressedBy", stats.Counts.SuppressedBy.ToDictionary(o => o.Key, o => (object)o.Value));
        record.Add("revision", stats.Revision);
        record.Add("updatedAt", stats.UpdatedAt.UtcDateTime);
        return record;
    }

    internal static EventReadResult Map(GenericRecord record)
    {
        if (!TryString(record, "contactId", out var contactId) || contactId.Length == 0)
        {
            return EventReadResult.Failed("missing_contact_id");
        }

        if (!TryString(record, "eventId", out var eventId) || eventId.Length == 0)
        {
            return EventReadResult.Failed("missing_field:eventId");
        }

        if (!TryString(record, "channelId", out var channelId) || channelId.Length == 0)
        {
            return EventReadResult.Failed("missing_field:channelId");
        }

        if (!record.TryGetValue("occurredAt", out var occurred) || ToTimestamp(occurred) is not { } occurredAt)
        {
            return EventReadResult.Failed("invalid_occurred_at");
        }

        string? correlationId = null;
        if (record.TryGetValue("correlationId", out var correlation) && correlation is not null)
        {
            if (correlation is not string text)
            {
                return EventReadResult.Failed("invalid_field:correlationId");
            }

            correlationId = text;
        }

        if (!record.TryGetValue("attributes", out var map) || map is not IDictionary<string, object> values)
        {
            return EventReadResult.Failed("missing_field:attributes");
        }

        var attributes = new Dictionary<string, AttributeValue>(values.Count, StringComparer.Ordinal);
        foreach (var (name, raw) in values)
        {
            if (ToAttribute(raw) is not { } attribute)
            {
                return EventReadResult.Failed($"unsupported_attribute_type:{name}");
            }

            attributes[name] = attribute;
        }

        return new EventReadResult(new BehavioralEvent(eventId, contactId, channelId, occurredAt, attributes, correlationId), null);
    }

    internal static GenericRecord ToRecord(InviteOutcome outcome)
    {
        var record = new GenericRecord(OutcomeSchema);
        record.Add("contactId", outcome.ContactId);
        record.Add("campaignId", outcome.CampaignId);
        record.Add("eventId", outcome.EventId);
        record.Add("status", new GenericEnum(StatusSchema, OutcomeStatusNames.ToWire(outcome.Status)));
        record.Add("reason", outcome.Reason);
        record.Add("requestId", outcome.RequestId);
        record.Add("correlationId", outcome.CorrelationId);
        record.Add("occurredAt", outcome.OccurredAt.UtcDateTime);
        record.Add("decidedAt", outcome.DecidedAt.UtcDateTime);
        record.Add("decisionLatencyMs", Math.Round(outcome.DecisionLatencyMs, 3));
        record.Add("sourceTopic", outcome.SourceTopic);
        record.Add("sourcePartition", outcome.SourcePartition);
        record.Add("sourceOffset", outcome.SourceOffset);
        record.Add("suppressedUntil", outcome.SuppressedUntil?.UtcDateTime);
        return record;
    }

    private static bool TryString(GenericRecord record, string name, out string value)
    {
        value = record.TryGetValue(name, out var raw) && raw is string text ? text : "";
        return raw is string;
    }

    // timestamp-millis comes back as a UTC DateTime; a writer schema without the logical type gives epoch millis.
    private static DateTimeOffset? ToTimestamp(object? value) => value switch
    {
        DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
        long millis => DateTimeOffset.FromUnixTimeMilliseconds(millis),
        _ => null,
    };

    private static AttributeValue? ToAttribute(object? value) => value switch
    {
        string text => AttributeValue.FromString(text),
        long integer => AttributeValue.FromInteger(integer),
        int integer => AttributeValue.FromInteger(integer),
        double number when double.IsFinite(number) => AttributeValue.FromFloat(number),
        float number when float.IsFinite(number) => AttributeValue.FromFloat(number),
        bool flag => AttributeValue.FromBoolean(flag),
        object[] items when items.All(i => i is string) => AttributeValue.FromStringList([.. items.Cast<string>()]),
        _ => null,
    };
}
