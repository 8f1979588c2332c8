namespace InviteStream.Core.Filters;

/// <summary>
/// The operator names campaign files may use: the guide's snake_case names and the Genesys journey
/// condition names (camelCase), which mean the same thing.
/// </summary>
public static class FilterOperatorNames
{
    private static readonly Dictionary<string, FilterOperator> ByName = new(StringComparer.Ordinal)
    {
        ["equals"] = FilterOperator.EqualTo,
        ["equal"] = FilterOperator.EqualTo,
        ["not_equals"] = FilterOperator.NotEqualTo,
        ["notEqual"] = FilterOperator.NotEqualTo,
        ["greater_than"] = FilterOperator.GreaterThan,
        ["greaterThan"] = FilterOperator.GreaterThan,
        ["greater_than_or_equal"] = FilterOperator.GreaterThanOrEqual,
        ["greaterThanOrEqual"] = FilterOperator.GreaterThanOrEqual,
        ["less_than"] = FilterOperator.LessThan,
        ["lessThan"] = FilterOperator.LessThan,
        ["less_than_or_equal"] = FilterOperator.LessThanOrEqual,
        ["lessThanOrEqual"] = FilterOperator.LessThanOrEqual,
        ["contains"] = FilterOperator.Contains,
        ["starts_with"] = FilterOperator.StartsWith,
        ["startsWith"] = FilterOperator.StartsWith,
        ["ends_with"] = FilterOperator.EndsWith,
        ["endsWith"] = FilterOperator.EndsWith,
        ["in"] = FilterOperator.In,
        ["containsAny"] = FilterOperator.In,
        ["not_in"] = FilterOperator.NotIn,
        ["notContainsAny"] = FilterOperator.NotIn,
        ["containsAll"] = FilterOperator.ContainsAll,
        ["notContainsAll"] = FilterOperator.NotContainsAll,
        ["exists"] = FilterOperator.Exists,
        ["not_exists"] = FilterOperator.NotExists,
    };

    public static IEnumerable<string> All => ByName.Keys;

    public static bool TryParse(string name, out FilterOperator op) => ByName.TryGetValue(name, out op);

    /// <summary>The data types an operator can compare; anything else is a definition error.</summary>
    public static bool Supports(FilterOperator op, AttributeDataType type) => op switch
    {
        FilterOperator.EqualTo or FilterOperator.NotEqualTo => type != AttributeDataType.StringList,
        FilterOperator.GreaterThan or FilterOperator.GreaterThanOrEqual
            or FilterOperator.LessThan or FilterOperator.LessThanOrEqual =>
            type is AttributeDataType.Integer or AttributeDataType.Float,
        FilterOperator.Contains or FilterOperator.StartsWith or FilterOperator.EndsWith => type == AttributeDataType.String,
        FilterOperator.In or FilterOperator.NotIn or FilterOperator.ContainsAll or FilterOperator.NotContainsAll =>
            type == AttributeDataType.StringList,
        _ => true,
    };
}
