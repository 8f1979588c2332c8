namespace InviteStream.Core.Filters;

/// <summary>The <c>dataType</c> a campaign filter declares for its attribute.</summary>
public enum AttributeDataType : byte
{
    String,
    Integer,
    Float,
    Boolean,
    StringList,
}
