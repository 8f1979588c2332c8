using System.Text.Json;
using InviteStream.Core;
using InviteStream.Kafka.Serialization;
using InviteStream.Serialization;

namespace InviteStream.Kafka.Tests.Serialization;

/// <summary>Timestamps in the worker's own records read as the text parser reads them, whichever path takes them.</summary>
[TestFixture]
public sealed class InternalJsonTests
{
    [TestCase("2026-12-04T10:00:00.123Z")]
    [TestCase("2026-12-04T10:00:00Z")]
    [TestCase("2026-12-04T10:00:00.1234567Z")]
    [TestCase("2026-12-04T10:00:00", Description = "no offset: UTC, not the machine's local time")]
    [TestCase("2026-12-04T12:00:00+02:00")]
    [TestCase("2026-12-04T05:30:00.5-04:30")]
    [TestCase("0001-01-01T00:00:00.000Z")]
    [TestCase("9999-12-31T23:59:59.999Z")]
    public void A_timestamp_reads_as_IsoTimestamp_Parse_reads_its_text(string text)
    {
        using var document = JsonDocument.Parse($$"""{"at":"{{text}}"}""");

        var read = InternalJson.ReadTime(document.RootElement, "at");

        Assert.Multiple(() =>
        {
            Assert.That(read, Is.EqualTo(IsoTimestamp.Parse(text)));
            Assert.That(read!.Value.Offset, Is.EqualTo(TimeSpan.Zero));
        });
    }

    [Test]
    public void A_written_timestamp_reads_back_to_the_millisecond()
    {
        var at = new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.FromHours(3)).AddTicks(1_234_567);
        var json = JsonBytesOf(writer => InternalJson.WriteTime(writer, "at", at));
        using var document = JsonDocument.Parse(json);

        Assert.That(InternalJson.ReadTime(document.RootElement, "at"), Is.EqualTo(IsoTimestamp.Truncate(at)));
    }

    private static byte[] JsonBytesOf(Action<Utf8JsonWriter> writeProperty) => JsonBytes.Write(writer =>
    {
        writer.WriteStartObject();
        writeProperty(writer);
        writer.WriteEndObject();
    });
}
