using InviteStream.Core.Attributes;

namespace InviteStream.Core.Filters;

/// <summary>The <c>dataType</c> spellings used by campaign files and reasons.</summary>
public static class DataTypeNames
{
    public static bool TryParse(string name, out AttributeDataType type)
    {
        switch (name)
        {
            case "string": type = AttributeDataType.String; return true;
            case "integer": type = AttributeDataType.Integer; return true;
            case "float": type = AttributeDataType.Float; return true;
            case "boolean": type = AttributeDataType.Boolean; return true;
            case "string_list": type = AttributeDataType.StringList; return true;
            default: type = default; return false;
        }
    }

    public static string ToWire(AttributeDataType type) => type switch
    {
        AttributeDataType.String => "string",
        AttributeDataType.Integer => "integer",
        AttributeDataType.Float => "float",
        AttributeDataType.Boolean => "boolean",
        _ => "string_list",
    };

    public static string ToWire(AttributeKind kind) => kind switch
    {
        AttributeKind.String => "string",
        AttributeKind.Integer => "integer",
        AttributeKind.Float => "float",
        AttributeKind.Boolean => "boolean",
        _ => "string_list",
    };

    /// <summary>
    /// Whether a value of <paramref name="kind"/> may be compared with a filter of
    /// <paramref name="type"/>: integers widen to float, nothing else converts.
    /// </summary>
    public static bool Accepts(AttributeDataType type, AttributeKind kind) => type switch
    {
        AttributeDataType.Float => kind is AttributeKind.Float or AttributeKind.Integer,
        AttributeDataType.Integer => kind == AttributeKind.Integer,
        AttributeDataType.Boolean => kind == AttributeKind.Boolean,
        AttributeDataType.String => kind == AttributeKind.String,
        _ => kind is AttributeKind.String or AttributeKind.StringList,
    };
}
