namespace InviteStream.Simulator.Rules;

/// <summary>A filter's <c>dataType</c>: which native JSON values it accepts.</summary>
internal enum RuleDataType
{
    String,
    Integer,
    Float,
    Boolean,
    StringList,
}
