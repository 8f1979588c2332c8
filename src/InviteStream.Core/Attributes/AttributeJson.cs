using System.Text.Json;

namespace InviteStream.Core.Attributes;

/// <summary>
/// Maps JSON values to <see cref="AttributeValue"/> keeping their native type: a JSON string stays
/// a string even when it looks like a number (the guide's "0.87" trap is reported, not repaired).
/// </summary>
public static class AttributeJson
{
    public static bool TryRead(JsonElement element, out AttributeValue value, out string? error)
    {
        error = null;
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                value = AttributeValue.FromString(element.GetString()!);
                return true;
            case JsonValueKind.True:
            case JsonValueKind.False:
                value = AttributeValue.FromBoolean(element.GetBoolean());
                return true;
            case JsonValueKind.Number:
                value = IsIntegerLiteral(element) && element.TryGetInt64(out var integer)
                    ? AttributeValue.FromInteger(integer)
                    : AttributeValue.FromFloat(element.GetDouble());
                return true;
            case JsonValueKind.Array:
                var items = new string[element.GetArrayLength()];
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                    {
                        value = default;
                        error = $"array items must be strings, found {item.ValueKind}";
                        return false;
                    }

                    items[index++] = item.GetString()!;
                }

                value = AttributeValue.FromStringList(items);
                return true;
            default:
                value = default;
                error = $"unsupported JSON type {element.ValueKind}";
                return false;
        }
    }

    public static void Write(Utf8JsonWriter writer, AttributeValue value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        switch (value.Kind)
        {
            case AttributeKind.String:
                writer.WriteStringValue(value.AsString);
                break;
            case AttributeKind.Integer:
                writer.WriteNumberValue(value.AsInteger);
                break;
            case AttributeKind.Float:
                WriteFloat(writer, value.AsDouble);
                break;
            case AttributeKind.Boolean:
                writer.WriteBooleanValue(value.AsBoolean);
                break;
            default:
                writer.WriteStartArray();
                foreach (var item in value.AsStringList)
                {
                    writer.WriteStringValue(item);
                }

                writer.WriteEndArray();
                break;
        }
    }

    // A whole float keeps its fraction (45.0, not 45): a strict engine would read 45 as an integer.
    private static void WriteFloat(Utf8JsonWriter writer, double number)
    {
        Span<byte> text = stackalloc byte[32];
        if (!double.IsFinite(number) || !number.TryFormat(text, out var length, "R", System.Globalization.CultureInfo.InvariantCulture))
        {
            writer.WriteNumberValue(number);
            return;
        }

        if (text[..length].IndexOfAny((byte)'.', (byte)'E', (byte)'e') >= 0)
        {
            writer.WriteRawValue(text[..length], skipInputValidation: true);
            return;
        }

        ".0"u8.CopyTo(text[length..]);
        writer.WriteRawValue(text[..(length + 2)], skipInputValidation: true);
    }

    // 45 and 45.0 are different literals: only the first is an integer.
    private static bool IsIntegerLiteral(JsonElement number)
    {
        var raw = number.GetRawText();
        return raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0;
    }
}
