using System.Buffers.Binary;
using Avro;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry.Serdes;
using InviteStream.Core.Attributes;
using InviteStream.Core.Outcomes;
using InviteStream.Kafka.Serialization;
using InviteStream.Testing;

namespace InviteStream.Kafka.Tests.Serialization;

/// <summary>The Avro path with the real Confluent serializers against an in-memory registry.</summary>
[TestFixture]
public sealed class AvroRecordFormatTests
{
    private const string InputTopic = "behavioral-events";
    private const string OutcomeTopic = "invite-outcomes";
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 30, 15, 123, TimeSpan.Zero);
    private static readonly RecordSchema EventSchema = (RecordSchema)Avro.Schema.Parse(SchemaFiles.Read("behavioral-event.avsc"));

    [Test]
    public async Task An_outcome_is_written_in_the_Confluent_wire_format_under_the_topics_value_subject()
    {
        var registry = new InMemorySchemaRegistry();
        var format = new AvroRecordFormat(registry, autoRegisterSchemas: true);
        var outcome = new InviteOutcome(
            "ext:alice", "camp_churn", "e1", OutcomeStatus.Suppressed, "cooldown", "behavioral-events:2:41", "corr_1",
            Now, Now.AddMilliseconds(12), 3.14159, InputTopic, 2, 41, Now.AddHours(1));

        var bytes = await format.WriteOutcomeAsync(OutcomeTopic, outcome);

        var registered = await registry.GetLatestSchemaAsync($"{OutcomeTopic}-value");
        Assert.Multiple(() =>
        {
            Assert.That(bytes[0], Is.Zero, "magic byte");
            Assert.That(BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1, 4)), Is.EqualTo(registered.Id), "schema id, big-endian");
            Assert.That(Avro.Schema.Parse(registered.SchemaString).Fullname, Is.EqualTo("dev.invitestream.outcomes.InviteOutcome"));
        });

        var read = await new AvroDeserializer<GenericRecord>(registry)
            .DeserializeAsync(bytes, isNull: false, new SerializationContext(MessageComponentType.Value, OutcomeTopic));
        Assert.Multiple(() =>
        {
            Assert.That(read["contactId"], Is.EqualTo("ext:alice"));
            Assert.That(read["campaignId"], Is.EqualTo("camp_churn"));
            Assert.That(((GenericEnum)read["status"]).Value, Is.EqualTo("suppressed"));
            Assert.That(read["reason"], Is.EqualTo("cooldown"));
            Assert.That(read["requestId"], Is.EqualTo("behavioral-events:2:41"));
            Assert.That(read["occurredAt"], Is.EqualTo(Now.UtcDateTime));
            Assert.That(read["decidedAt"], Is.EqualTo(Now.AddMilliseconds(12).UtcDateTime));
            Assert.That(read["decisionLatencyMs"], Is.EqualTo(3.142));
            Assert.That(read["sourcePartition"], Is.EqualTo(2));
            Assert.That(read["sourceOffset"], Is.EqualTo(41L));
            Assert.That(read["suppressedUntil"], Is.EqualTo(Now.AddHours(1).UtcDateTime));
        });
    }

    [Test]
    public async Task A_null_suppressedUntil_and_campaign_round_trip_as_null()
    {
        var registry = new InMemorySchemaRegistry();
        var bytes = await new AvroRecordFormat(registry, true).WriteOutcomeAsync(OutcomeTopic, new InviteOutcome(
            "ext:bob", null, "e2", OutcomeStatus.NotEligible, "camp_churn: page.dwell_seconds type_mismatch", "t:0:1", null,
            Now, Now, 0.5, InputTopic, 0, 1, null));

        var read = await new AvroDeserializer<GenericRecord>(registry)
            .DeserializeAsync(bytes, false, new SerializationContext(MessageComponentType.Value, OutcomeTopic));
        Assert.Multiple(() =>
        {
            Assert.That(read["campaignId"], Is.Null);
            Assert.That(read["correlationId"], Is.Null);
            Assert.That(read["suppressedUntil"], Is.Null);
            Assert.That(((GenericEnum)read["status"]).Value, Is.EqualTo("not_eligible"));
        });
    }

    [Test]
    public async Task An_event_keeps_the_native_type_of_every_attribute()
    {
        var registry = new InMemorySchemaRegistry();
        var bytes = await ProduceAsync(registry, EventSchema, Event(EventSchema, "ext:alice", new Dictionary<string, object>
        {
            ["external.churn_probability"] = 0.87,
            ["page.dwell_seconds"] = 46L,
            ["auth.is_authenticated"] = true,
            ["browser.locale"] = "en-GB",
            ["customer.segments"] = new object[] { "gold", "emea" },
        }));

        var read = await new AvroRecordFormat(registry, true).ReadEventAsync(InputTopic, bytes);

        Assert.That(read.Error, Is.Null);
        var e = read.Event!;
        Assert.Multiple(() =>
        {
            Assert.That(e.ContactId, Is.EqualTo("ext:alice"));
            Assert.That(e.EventId, Is.EqualTo("evt_1"));
            Assert.That(e.ChannelId, Is.EqualTo("webchat:primary_embed"));
            Assert.That(e.OccurredAt, Is.EqualTo(Now));
            Assert.That(e.CorrelationId, Is.EqualTo("corr_1"));
            Assert.That(e.Attributes["external.churn_probability"], Is.EqualTo(AttributeValue.FromFloat(0.87)));
            Assert.That(e.Attributes["page.dwell_seconds"], Is.EqualTo(AttributeValue.FromInteger(46)));
            Assert.That(e.Attributes["auth.is_authenticated"], Is.EqualTo(AttributeValue.FromBoolean(true)));
            Assert.That(e.Attributes["browser.locale"], Is.EqualTo(AttributeValue.FromString("en-GB")));
            Assert.That(e.Attributes["customer.segments"].AsStringList, Is.EqualTo(new[] { "gold", "emea" }));
        });
    }

    [Test]
    public async Task A_producer_schema_with_an_added_field_still_reads()
    {
        var evolved = (RecordSchema)Avro.Schema.Parse(SchemaFiles.Read("behavioral-event.avsc").Replace(
            "{ \"name\": \"eventId\", \"type\": \"string\" },",
            "{ \"name\": \"eventId\", \"type\": \"string\" }, { \"name\": \"tenant\", \"type\": \"string\", \"default\": \"\" },",
            StringComparison.Ordinal));
        Assert.That(evolved.Fields.Select(f => f.Name), Does.Contain("tenant"), "the evolved schema has the new field");
        var registry = new InMemorySchemaRegistry();
        var record = Event(evolved, "ext:carol", new Dictionary<string, object> { ["page.dwell_seconds"] = 3L });
        record.Add("tenant", "acme");

        var read = await new AvroRecordFormat(registry, true).ReadEventAsync(InputTopic, await ProduceAsync(registry, evolved, record));

        Assert.That(read.Event?.ContactId, Is.EqualTo("ext:carol"));
        Assert.That(read.Event?.Attributes["page.dwell_seconds"], Is.EqualTo(AttributeValue.FromInteger(3)));
    }

    [Test]
    public async Task Bytes_that_are_not_a_registered_Avro_event_get_a_dead_letter_reason()
    {
        var registry = new InMemorySchemaRegistry();
        var format = new AvroRecordFormat(registry, true);
        var valid = await ProduceAsync(registry, EventSchema, Event(EventSchema, "ext:dave", []));
        var unknownId = (byte[])valid.Clone();
        BinaryPrimitives.WriteInt32BigEndian(unknownId.AsSpan(1, 4), 999);
        var noContact = await ProduceAsync(registry, EventSchema, Event(EventSchema, "", []));

        Assert.Multiple(async () =>
        {
            Assert.That((await format.ReadEventAsync(InputTopic, "{\"contactId\":\"x\"}"u8.ToArray())).Error, Is.EqualTo("invalid_avro"), "JSON instead of Avro");
            Assert.That((await format.ReadEventAsync(InputTopic, [0, 0, 0])).Error, Is.EqualTo("invalid_avro"), "shorter than the framing");
            Assert.That((await format.ReadEventAsync(InputTopic, valid[..8])).Error, Is.EqualTo("invalid_avro"), "truncated body");
            Assert.That((await format.ReadEventAsync(InputTopic, unknownId)).Error, Is.EqualTo("unknown_schema_id"));
            Assert.That((await format.ReadEventAsync(InputTopic, noContact)).Error, Is.EqualTo("missing_contact_id"));
            Assert.That((await format.ReadEventAsync(InputTopic, valid)).Error, Is.Null, "the untouched record reads");
        });
    }

    private static GenericRecord Event(RecordSchema schema, string contactId, Dictionary<string, object> attributes)
    {
        var record = new GenericRecord(schema);
        record.Add("eventId", "evt_1");
        record.Add("contactId", contactId);
        record.Add("channelId", "webchat:primary_embed");
        record.Add("occurredAt", Now.UtcDateTime);
        record.Add("correlationId", "corr_1");
        record.Add("attributes", attributes);
        return record;
    }

    private static Task<byte[]> ProduceAsync(InMemorySchemaRegistry registry, RecordSchema schema, GenericRecord record)
    {
        Assert.That(record.Schema, Is.SameAs(schema));
        return new AvroSerializer<GenericRecord>(registry).SerializeAsync(record, new SerializationContext(MessageComponentType.Value, InputTopic));
    }
}
