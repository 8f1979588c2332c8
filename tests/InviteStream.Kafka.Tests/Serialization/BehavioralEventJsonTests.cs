using System.Text;
using InviteStream.Core.Attributes;
using InviteStream.Kafka.Serialization;

namespace InviteStream.Kafka.Tests.Serialization;

[TestFixture]
public sealed class BehavioralEventJsonTests
{
    private const string Envelope = """{"eventId":"e1","contactId":"ext:x","channelId":"webchat:primary_embed","occurredAt":"2026-05-21T14:32:11.250Z",{0}"attributes":{1}}""";

    private static string Event(string attributes, string extra = "") =>
        Envelope.Replace("{0}", extra, StringComparison.Ordinal).Replace("{1}", attributes, StringComparison.Ordinal);

    [Test]
    public void Every_attribute_keeps_its_native_type_and_the_envelope_is_read()
    {
        var read = BehavioralEventJson.Read(Encoding.UTF8.GetBytes(Event(
            """{"s":"0.87","i":45,"f":45.0,"e":1e3,"b":false,"l":["a","b"],"empty":[],"big":123456789012345678901234}""",
            "\"correlationId\":\"corr_1\",\"unknown\":{\"nested\":[1,{\"x\":2}]},")));

        Assert.That(read.Error, Is.Null);
        var e = read.Event!;
        Assert.Multiple(() =>
        {
            Assert.That(e.EventId, Is.EqualTo("e1"));
            Assert.That(e.ContactId, Is.EqualTo("ext:x"));
            Assert.That(e.ChannelId, Is.EqualTo("webchat:primary_embed"));
            Assert.That(e.OccurredAt, Is.EqualTo(new DateTimeOffset(2026, 5, 21, 14, 32, 11, 250, TimeSpan.Zero)));
            Assert.That(e.CorrelationId, Is.EqualTo("corr_1"));
            Assert.That(e.Attributes["s"], Is.EqualTo(AttributeValue.FromString("0.87")), "a number in a string stays a string");
            Assert.That(e.Attributes["i"], Is.EqualTo(AttributeValue.FromInteger(45)));
            Assert.That(e.Attributes["f"].Kind, Is.EqualTo(AttributeKind.Float), "45.0 is a float literal");
            Assert.That(e.Attributes["e"].Kind, Is.EqualTo(AttributeKind.Float));
            Assert.That(e.Attributes["b"], Is.EqualTo(AttributeValue.FromBoolean(false)));
            Assert.That(e.Attributes["l"].AsStringList, Is.EqualTo(new[] { "a", "b" }));
            Assert.That(e.Attributes["empty"].AsStringList, Is.Empty);
            Assert.That(e.Attributes["big"].Kind, Is.EqualTo(AttributeKind.Float), "beyond long: a float");
        });
    }

    [Test]
    public void Attribute_names_are_shared_between_events()
    {
        var first = BehavioralEventJson.Read(Encoding.UTF8.GetBytes(Event("""{"session.dwell_time_seconds":1}"""))).Event!;
        var second = BehavioralEventJson.Read(Encoding.UTF8.GetBytes(Event("""{"session.dwell_time_seconds":2}"""))).Event!;

        Assert.That(first.Attributes.Keys.Single(), Is.SameAs(second.Attributes.Keys.Single()));
    }

    [Test]
    public void Timestamps_without_a_zone_are_read_as_UTC_and_escaped_strings_are_unescaped()
    {
        var read = BehavioralEventJson.Read(Encoding.UTF8.GetBytes(
            """{"eventId":"e\u0031","contactId":"ext:\u00e9","channelId":"c","occurredAt":"2026-05-21T14:32:11","attributes":{"a\u002eb":"x"}}"""));

        Assert.Multiple(() =>
        {
            Assert.That(read.Event?.OccurredAt, Is.EqualTo(new DateTimeOffset(2026, 5, 21, 14, 32, 11, TimeSpan.Zero)));
            Assert.That(read.Event?.EventId, Is.EqualTo("e1"));
            Assert.That(read.Event?.ContactId, Is.EqualTo("ext:é"));
            Assert.That(read.Event?.Attributes.ContainsKey("a.b"), Is.True);
        });
    }

    [TestCase("{not json", "invalid_json")]
    [TestCase("", "invalid_json")]
    [TestCase("[]", "invalid_json")]
    [TestCase("42", "invalid_json")]
    [TestCase("null", "invalid_json")]
    [TestCase("{}", "missing_contact_id")]
    [TestCase("""{"contactId":7}""", "missing_contact_id")]
    [TestCase("""{"contactId":"ext:x"} trailing""", "invalid_json")]
    [TestCase("""{"contactId":"ext:x"}""", "missing_field:eventId")]
    [TestCase("""{"contactId":"ext:x","eventId":"e"}""", "missing_field:channelId")]
    [TestCase("""{"contactId":"ext:x","eventId":"e","channelId":"c","occurredAt":1716301931}""", "invalid_occurred_at")]
    [TestCase("""{"contactId":"ext:x","eventId":"e","channelId":"c","occurredAt":"yesterday"}""", "invalid_occurred_at")]
    [TestCase("""{"contactId":"ext:x","eventId":"e","channelId":"c","occurredAt":"2026-05-21T14:32:11Z"}""", "missing_field:attributes")]
    [TestCase("""{"contactId":"ext:x","eventId":"e","channelId":"c","occurredAt":"2026-05-21T14:32:11Z","attributes":[]}""", "missing_field:attributes")]
    [TestCase("""{"contactId":"ext:x","eventId":"e","channelId":"c","occurredAt":"2026-05-21T14:32:11Z","correlationId":5,"attributes":{}}""", "invalid_field:correlationId")]
    public void A_record_that_is_not_an_event_gets_its_reason(string json, string reason) =>
        Assert.That(BehavioralEventJson.Read(Encoding.UTF8.GetBytes(json)).Error, Is.EqualTo(reason));

    [TestCase("""{"x":{"nested":1}}""")]
    [TestCase("""{"x":null}""")]
    [TestCase("""{"x":["a",1]}""")]
    [TestCase("""{"x":[["a"]]}""")]
    [TestCase("""{"x":[["a"],"b"],"y":1}""")]
    [TestCase("""{"ok":1,"x":[{"a":[1]}]}""")]
    public void An_attribute_of_an_unsupported_type_is_named_even_when_more_follow(string attributes)
    {
        var read = BehavioralEventJson.Read(Encoding.UTF8.GetBytes(Event(attributes, "\"after\":[1],")));

        Assert.That(read.Error, Is.EqualTo("unsupported_attribute_type:x"));
    }

    [Test]
    public void A_missing_contact_is_reported_before_a_bad_attribute_that_comes_first() =>
        Assert.That(
            BehavioralEventJson.Read("""{"attributes":{"x":null},"eventId":"e"}"""u8).Error,
            Is.EqualTo("missing_contact_id"));
}
