using System.Text.Json;

namespace InviteStream.Simulator.Rules;

/// <summary>
/// The engine's strict typing: a value satisfies a <c>dataType</c> only by its native JSON type.
/// A string that looks like a number stays a string (the guide's <c>"0.87"</c> trap).
/// </summary>
internal static class StrictTypes
{
    public static bool TryParse(string name, out RuleDataType type)
    {
        switch (name)
        {
            case "string": type = RuleDataType.String; return true;
            case "integer": type = RuleDataType.Integer; return true;
            case "float": type = RuleDataType.Float; return true;
            case "boolean": type = RuleDataType.Boolean; return true;
            case "string_list": type = RuleDataType.StringList; return true;
            default: type = default; return false;
        }
    }

    public static bool Fits(RuleDataType type, JsonElement value) => type switch
    {
        RuleDataType.String => value.ValueKind == JsonValueKind.String,
        RuleDataType.Integer => value.ValueKind == JsonValueKind.Number && IsIntegerLiteral(value),
        // An integer widens to float; nothing else converts.
        RuleDataType.Float => value.ValueKind == JsonValueKind.Number,
        RuleDataType.Boolean => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        _ => value.ValueKind == JsonValueKind.String
            || (value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(item => item.ValueKind == JsonValueKind.String)),
    };

    /// <summary>Whether a JSON number was written as an integer: <c>45</c> is, <c>45.0</c> and <c>4.5e1</c> are not.</summary>
    public static bool IsIntegerLiteral(JsonElement number) => number.GetRawText().AsSpan().IndexOfAny(".eE") < 0;
}
