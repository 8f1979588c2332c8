namespace InviteStream.Simulator.Rules;

/// <summary>
/// Operator spellings the engine accepts: the guide's snake_case names and the Genesys journey
/// condition names, which mean the same thing.
/// </summary>
internal static class RuleOperatorNames
{
    private static readonly Dictionary<string, RuleOperator> Operators = new(StringComparer.Ordinal)
    {
        ["equals"] = RuleOperator.EqualTo,
        ["equal"] = RuleOperator.EqualTo,
        ["not_equals"] = RuleOperator.NotEqualTo,
        ["notEqual"] = RuleOperator.NotEqualTo,
        ["greater_than"] = RuleOperator.GreaterThan,
        ["greaterThan"] = RuleOperator.GreaterThan,
        ["greater_than_or_equal"] = RuleOperator.GreaterThanOrEqual,
        ["greaterThanOrEqual"] = RuleOperator.GreaterThanOrEqual,
        ["less_than"] = RuleOperator.LessThan,
        ["lessThan"] = RuleOperator.LessThan,
        ["less_than_or_equal"] = RuleOperator.LessThanOrEqual,
        ["lessThanOrEqual"] = RuleOperator.LessThanOrEqual,
        ["contains"] = RuleOperator.Contains,
        ["starts_with"] = RuleOperator.StartsWith,
        ["startsWith"] = RuleOperator.StartsWith,
        ["ends_with"] = RuleOperator.EndsWith,
        ["endsWith"] = RuleOperator.EndsWith,
        ["in"] = RuleOperator.ContainsAny,
        ["containsAny"] = RuleOperator.ContainsAny,
        ["not_in"] = RuleOperator.ContainsNone,
        ["notContainsAny"] = RuleOperator.ContainsNone,
        ["containsAll"] = RuleOperator.ContainsAll,
        ["notContainsAll"] = RuleOperator.NotContainsAll,
        ["exists"] = RuleOperator.Exists,
        ["not_exists"] = RuleOperator.NotExists,
    };

    public static bool TryParse(string name, out RuleOperator op) => Operators.TryGetValue(name, out op);
}
