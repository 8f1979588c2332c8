using System.Text.Json;
using InviteStream.Core;
using InviteStream.Core.Invites;
using InviteStream.Serialization;

namespace InviteStream.Kafka.Serialization;

/// <summary>The grant changelog record of one budget: <c>{"grants": [{"at", "requestId", "answered"}]}</c>, oldest first.</summary>
internal static class GrantJson
{
    /// <summary>The record of <paramref name="count"/> grants from <paramref name="start"/>.</summary>
    public static byte[] Write(IReadOnlyList<Grant> grants, int start, int count) => JsonBytes.Write((grants, start, count), static (writer, range) =>
    {
        writer.WriteStartObject();
        writer.WriteStartArray("grants");
        for (var i = range.start; i < range.start + range.count; i++)
        {
            var grant = range.grants[i];
            writer.WriteStartObject();
            InternalJson.WriteTime(writer, "at", grant.At);
            writer.WriteString("requestId", grant.RequestId);
            if (grant.Answered)
            {
                writer.WriteBoolean("answered", true);
            }
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    public static IReadOnlyList<Grant> Read(byte[]? value)
    {
        if (value is null || value.Length == 0)
        {
            return [];
        }

        using var document = JsonDocument.Parse(value);
        return [.. document.RootElement.GetProperty("grants").EnumerateArray()
            .Select(g => new Grant(
                InternalJson.ReadTime(g.GetProperty("at")),
                g.GetProperty("requestId").GetString()!,
                g.TryGetProperty("answered", out var answered) && answered.ValueKind == JsonValueKind.True))];
    }
}
