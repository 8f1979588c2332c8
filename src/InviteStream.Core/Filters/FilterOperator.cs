namespace InviteStream.Core.Filters;

public enum FilterOperator : byte
{
    EqualTo,
    NotEqualTo,
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
    Contains,
    StartsWith,
    EndsWith,
    In,
    NotIn,
    ContainsAll,
    NotContainsAll,
    Exists,
    NotExists,
}
