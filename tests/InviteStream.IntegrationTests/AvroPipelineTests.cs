using Avro;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using InviteStream.Kafka.Serialization;
using InviteStream.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace InviteStream.IntegrationTests;

/// <summary><c>Serialization:Format=Avro</c> end to end: Avro events in, Avro outcomes out, through the real Confluent serdes.</summary>
[TestFixture]
public sealed class AvroPipelineTests
{
    [Test]
    public async Task Avro_events_are_decided_and_their_outcomes_written_as_Avro_with_the_registered_schema()
    {
        await using var harness = await PipelineHarness.StartAsync(2, TestCampaigns.Guide(cooldownSeconds: 3600));
        var registry = new InMemorySchemaRegistry();
        var schema = (RecordSchema)Avro.Schema.Parse(SchemaFiles.Read("behavioral-event.avsc"));
        var now = TimeProvider.System.GetUtcNow();
        var serializer = new AvroSerializer<GenericRecord>(registry);
        var context = new SerializationContext(MessageComponentType.Value, harness.InputTopic);
        var messages = new List<Message<string?, byte[]?>>
        {
            new() { Key = "ext:alice", Value = await serializer.SerializeAsync(Event(schema, "a1", "ext:alice", now, 0.87), context) },
            new() { Key = "ext:alice", Value = await serializer.SerializeAsync(Event(schema, "a2", "ext:alice", now, 0.95), context) },
            new() { Key = "ext:bob", Value = await serializer.SerializeAsync(Event(schema, "b1", "ext:bob", now, 0.2), context) },
            new() { Key = "ext:carol", Value = "{\"contactId\":\"ext:carol\"}"u8.ToArray() },
        };
        await harness.ProduceRawAsync(messages);

        using var worker = harness.BuildWorker(
            new Dictionary<string, string?> { ["Serialization:Format"] = "Avro", ["Serialization:SchemaRegistryUrl"] = "http://127.0.0.1:1" },
            services: s => s.AddSingleton<ISchemaRegistryClient>(registry));
        await worker.StartAsync();
        await PipelineHarness.WaitUntilAsync(() => PipelineHarness.StatisticsOf(worker).Finished >= 4, TimeSpan.FromSeconds(60), "all four records are handled");
        await worker.StopAsync();

        var deserializer = new AvroDeserializer<GenericRecord>(registry);
        var outcomes = new Dictionary<string, GenericRecord>();
        foreach (var record in harness.ReadAll(harness.OutcomeTopic))
        {
            Assert.That(record.Message.Value[0], Is.Zero, "Confluent framing: magic byte");
            var outcome = await deserializer.DeserializeAsync(record.Message.Value, false, new SerializationContext(MessageComponentType.Value, harness.OutcomeTopic));
            outcomes[(string)outcome["eventId"]] = outcome;
        }

        var deadLetters = harness.ReadAll(harness.DeadLetterTopic);
        Assert.Multiple(async () =>
        {
            Assert.That(outcomes.Keys, Is.EquivalentTo(new[] { "a1", "a2" }), "bob matches no campaign: no outcome");
            Assert.That(((GenericEnum)outcomes["a1"]["status"]).Value, Is.EqualTo("delivered"));
            Assert.That(((GenericEnum)outcomes["a2"]["status"]).Value, Is.EqualTo("suppressed"));
            Assert.That(outcomes["a1"]["campaignId"], Is.EqualTo(TestCampaigns.GuideCampaignId));
            Assert.That(await registry.GetSubjectVersionsAsync($"{harness.OutcomeTopic}-value"), Has.Count.EqualTo(1), "outcome schema registered once");
            Assert.That(deadLetters, Has.Count.EqualTo(1));
            Assert.That(PipelineHarness.Text(deadLetters[0].Message.Headers.GetLastBytes("x-error-reason")), Is.EqualTo("invalid_avro"));
            Assert.That(harness.Simulator.State.Received.Select(t => t.Body.GetProperty("contactId").GetString()), Is.EqualTo(new[] { "ext:alice" }));
        });
    }

    private static GenericRecord Event(RecordSchema schema, string eventId, string contactId, DateTimeOffset occurredAt, double churn)
    {
        var record = new GenericRecord(schema);
        record.Add("eventId", eventId);
        record.Add("contactId", contactId);
        record.Add("channelId", "webchat:primary_embed");
        record.Add("occurredAt", occurredAt.UtcDateTime);
        record.Add("correlationId", null);
        record.Add("attributes", new Dictionary<string, object>
        {
            ["external.churn_probability"] = churn,
            ["contact.is_authenticated"] = true,
            ["session.dwell_time_seconds"] = 52L,
        });
        return record;
    }
}
