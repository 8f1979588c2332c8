using System.Text.Json;
using InviteStream.Core;
using InviteStream.Core.Events;

namespace InviteStream.Kafka.Serialization;

/// <summary>Small pieces shared by the worker's own record formats (changelogs, triggers, results).</summary>
internal static class InternalJson
{
    public static void WriteOrigin(Utf8JsonWriter writer, string name, EventOrigin origin)
    {
        writer.WriteStartObject(name);
        writer.WriteString("topic", origin.Topic);
        writer.WriteNumber("partition", origin.Partition);
        writer.WriteNumber("offset", origin.Offset);
        writer.WriteEndObject();
    }

    public static EventOrigin ReadOrigin(JsonElement element) =>
        new(element.GetProperty("topic").GetString()!, element.GetProperty("partition").GetInt32(), element.GetProperty("offset").GetInt64());

    /// <summary>Writes <paramref name="time"/> when there is one; nothing when it is null.</summary>
    public static void WriteTime(Utf8JsonWriter writer, string name, DateTimeOffset? time)
    {
        if (time is { } value)
        {
            WriteTime(writer, name, value);
        }
    }

    /// <summary>The wire's timestamp, formatted straight into the writer's UTF-8 (no string per value).</summary>
    public static void WriteTime(Utf8JsonWriter writer, string name, DateTimeOffset time)
    {
        Span<byte> utf8 = stackalloc byte[IsoTimestamp.Length];
        IsoTimestamp.Format(time, utf8);
        writer.WriteString(name, utf8);
    }

    public static DateTimeOffset? ReadTime(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? ReadTime(value) : null;

    /// <summary>
    /// A timestamp the worker wrote: its UTC form parsed from the bytes, with no string; any other
    /// text as <see cref="IsoTimestamp.Parse"/> reads it (no offset meaning UTC, not local time).
    /// </summary>
    public static DateTimeOffset ReadTime(JsonElement value) =>
        value.TryGetDateTimeOffset(out var parsed) && parsed.Offset == TimeSpan.Zero ? parsed : IsoTimestamp.Parse(value.GetString()!);

    public static string? ReadString(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
