using InviteStream.Core.Attributes;

namespace InviteStream.Core.Filters;

/// <summary>One campaign filter: <c>attributeName operator value</c>, typed by <c>dataType</c>.</summary>
/// <param name="Value">Unused (default) for <c>exists</c> and <c>not_exists</c>.</param>
public sealed record Filter(string AttributeName, FilterOperator Operator, AttributeValue Value, AttributeDataType DataType);
