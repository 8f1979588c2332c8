using InviteStream.Core.Attributes;

namespace InviteStream.Core.Filters;

/// <summary>
/// Strict, typed filter evaluation. A value whose native type does not fit the filter's
/// <c>dataType</c> never matches and says so (<see cref="FilterResultKind.TypeMismatch"/>),
/// instead of silently counting as a negative evaluation as the guide's API does.
/// </summary>
public static class FilterEvaluator
{
    public static FilterResult Evaluate(Filter filter, IReadOnlyDictionary<string, AttributeValue> attributes)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(attributes);

        var present = attributes.TryGetValue(filter.AttributeName, out var actual);
        switch (filter.Operator)
        {
            case FilterOperator.Exists:
                return present ? FilterResult.Matched : FilterResult.NotMatched;
            case FilterOperator.NotExists:
                return present ? FilterResult.NotMatched : FilterResult.Matched;
        }

        if (!present)
        {
            return FilterResult.Missing;
        }

        if (!DataTypeNames.Accepts(filter.DataType, actual.Kind))
        {
            return FilterResult.TypeMismatch(filter.DataType, actual.Kind);
        }

        return Compare(filter.Operator, actual, filter.Value) ? FilterResult.Matched : FilterResult.NotMatched;
    }

    private static bool Compare(FilterOperator op, AttributeValue actual, AttributeValue expected) => op switch
    {
        FilterOperator.EqualTo => AreEqual(actual, expected),
        FilterOperator.NotEqualTo => !AreEqual(actual, expected),
        FilterOperator.GreaterThan => CompareNumbers(actual, expected) > 0,
        FilterOperator.GreaterThanOrEqual => CompareNumbers(actual, expected) >= 0,
        FilterOperator.LessThan => CompareNumbers(actual, expected) < 0,
        FilterOperator.LessThanOrEqual => CompareNumbers(actual, expected) <= 0,
        FilterOperator.Contains => actual.AsString.Contains(expected.AsString, StringComparison.Ordinal),
        FilterOperator.StartsWith => actual.AsString.StartsWith(expected.AsString, StringComparison.Ordinal),
        FilterOperator.EndsWith => actual.AsString.EndsWith(expected.AsString, StringComparison.Ordinal),
        FilterOperator.In => CountShared(actual, expected.AsStringList) > 0,
        FilterOperator.NotIn => CountShared(actual, expected.AsStringList) == 0,
        FilterOperator.ContainsAll => ContainsAll(actual, expected.AsStringList),
        FilterOperator.NotContainsAll => !ContainsAll(actual, expected.AsStringList),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Presence operators are handled before comparison."),
    };

    private static bool AreEqual(AttributeValue actual, AttributeValue expected) =>
        actual.IsNumeric && expected.IsNumeric
            ? CompareNumbers(actual, expected) == 0
            : actual.Equals(expected);

    private static int CompareNumbers(AttributeValue actual, AttributeValue expected) =>
        actual.Kind == AttributeKind.Integer && expected.Kind == AttributeKind.Integer
            ? actual.AsInteger.CompareTo(expected.AsInteger)
            : actual.AsDouble.CompareTo(expected.AsDouble);

    private static int CountShared(AttributeValue actual, IReadOnlyList<string> expected)
    {
        if (actual.Kind == AttributeKind.String)
        {
            return Contains(expected, actual.AsString) ? 1 : 0;
        }

        var shared = 0;
        var values = actual.AsStringList;
        for (var i = 0; i < values.Count; i++)
        {
            if (Contains(expected, values[i]))
            {
                shared++;
            }
        }

        return shared;
    }

    private static bool ContainsAll(AttributeValue actual, IReadOnlyList<string> expected)
    {
        for (var i = 0; i < expected.Count; i++)
        {
            var found = actual.Kind == AttributeKind.String
                ? string.Equals(actual.AsString, expected[i], StringComparison.Ordinal)
                : Contains(actual.AsStringList, expected[i]);
            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    private static bool Contains(IReadOnlyList<string> values, string value)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (string.Equals(values[i], value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
