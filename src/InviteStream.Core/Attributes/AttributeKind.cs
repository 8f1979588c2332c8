namespace InviteStream.Core.Attributes;

/// <summary>The native JSON type an attribute value arrived with.</summary>
public enum AttributeKind : byte
{
    String,
    Integer,
    Float,
    Boolean,
    StringList,
}
