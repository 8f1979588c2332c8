using System.Text.Json;

namespace InviteStream.Simulator.Rules;

/// <summary>
/// One campaign filter as the engine evaluates it: <c>attributeName operator value</c>, typed by
/// <c>dataType</c>, against the trigger's <c>sessionData</c> as JSON. A missing attribute or a
/// value of the wrong native type is just a non-match: the engine never says why.
/// </summary>
internal sealed class FilterRule
{
    private readonly JsonElement _value;
    private readonly string[] _list;

    private FilterRule(string attributeName, RuleOperator op, RuleDataType dataType, JsonElement value)
    {
        AttributeName = attributeName;
        Operator = op;
        DataType = dataType;
        _value = value;
        _list = op is RuleOperator.ContainsAny or RuleOperator.ContainsNone or RuleOperator.ContainsAll or RuleOperator.NotContainsAll
            ? Strings(value)
            : [];
    }

    public string AttributeName { get; }

    public RuleOperator Operator { get; }

    public RuleDataType DataType { get; }

    /// <summary>Reads one element of a campaign's <c>filters</c> array, as the guide writes it.</summary>
    public static bool TryRead(JsonElement filter, out FilterRule rule, out string error)
    {
        rule = null!;
        if (filter.ValueKind != JsonValueKind.Object
            || !TryString(filter, "attributeName", out var attributeName)
            || !TryString(filter, "operator", out var operatorName))
        {
            error = "a filter needs attributeName and operator";
            return false;
        }

        if (!RuleOperatorNames.TryParse(operatorName, out var op))
        {
            error = $"unknown operator '{operatorName}'";
            return false;
        }

        if (op is RuleOperator.Exists or RuleOperator.NotExists)
        {
            rule = new FilterRule(attributeName, op, default, default);
            error = "";
            return true;
        }

        if (!TryString(filter, "dataType", out var dataTypeName) || !StrictTypes.TryParse(dataTypeName, out var dataType))
        {
            error = $"filter on '{attributeName}' has no known dataType";
            return false;
        }

        if (!Compares(op, dataType))
        {
            error = $"operator '{operatorName}' cannot compare dataType '{dataTypeName}'";
            return false;
        }

        if (!filter.TryGetProperty("value", out var value) || !StrictTypes.Fits(dataType, value))
        {
            error = $"filter on '{attributeName}' needs a value of dataType '{dataTypeName}'";
            return false;
        }

        rule = new FilterRule(attributeName, op, dataType, value.Clone());
        error = "";
        return true;
    }

    public bool Matches(JsonElement sessionData)
    {
        JsonElement actual = default;
        var present = sessionData.ValueKind == JsonValueKind.Object && sessionData.TryGetProperty(AttributeName, out actual);
        return Operator switch
        {
            RuleOperator.Exists => present,
            RuleOperator.NotExists => !present,
            _ => present && StrictTypes.Fits(DataType, actual) && Compare(actual),
        };
    }

    private bool Compare(JsonElement actual) => Operator switch
    {
        RuleOperator.EqualTo => AreEqual(actual),
        RuleOperator.NotEqualTo => !AreEqual(actual),
        RuleOperator.GreaterThan => JsonNumbers.Compare(actual, _value) > 0,
        RuleOperator.GreaterThanOrEqual => JsonNumbers.Compare(actual, _value) >= 0,
        RuleOperator.LessThan => JsonNumbers.Compare(actual, _value) < 0,
        RuleOperator.LessThanOrEqual => JsonNumbers.Compare(actual, _value) <= 0,
        RuleOperator.Contains => actual.GetString()!.Contains(_value.GetString()!, StringComparison.Ordinal),
        RuleOperator.StartsWith => actual.GetString()!.StartsWith(_value.GetString()!, StringComparison.Ordinal),
        RuleOperator.EndsWith => actual.GetString()!.EndsWith(_value.GetString()!, StringComparison.Ordinal),
        RuleOperator.ContainsAny => SharesAny(actual),
        RuleOperator.ContainsNone => !SharesAny(actual),
        RuleOperator.ContainsAll => HoldsAll(actual),
        RuleOperator.NotContainsAll => !HoldsAll(actual),
        _ => false,
    };

    private bool AreEqual(JsonElement actual) => DataType switch
    {
        RuleDataType.String => string.Equals(actual.GetString(), _value.GetString(), StringComparison.Ordinal),
        RuleDataType.Boolean => actual.GetBoolean() == _value.GetBoolean(),
        _ => JsonNumbers.Compare(actual, _value) == 0,
    };

    private bool SharesAny(JsonElement actual) => Strings(actual).Any(item => _list.Contains(item, StringComparer.Ordinal));

    private bool HoldsAll(JsonElement actual)
    {
        var values = Strings(actual);
        return _list.All(item => values.Contains(item, StringComparer.Ordinal));
    }

    private static bool Compares(RuleOperator op, RuleDataType type) => op switch
    {
        RuleOperator.EqualTo or RuleOperator.NotEqualTo => type != RuleDataType.StringList,
        RuleOperator.GreaterThan or RuleOperator.GreaterThanOrEqual or RuleOperator.LessThan or RuleOperator.LessThanOrEqual =>
            type is RuleDataType.Integer or RuleDataType.Float,
        RuleOperator.Contains or RuleOperator.StartsWith or RuleOperator.EndsWith => type == RuleDataType.String,
        _ => type == RuleDataType.StringList,
    };

    // A plain string counts as a one-element list.
    private static string[] Strings(JsonElement value) => value.ValueKind == JsonValueKind.String
        ? [value.GetString()!]
        : [.. value.EnumerateArray().Select(item => item.GetString()!)];

    private static bool TryString(JsonElement parent, string name, out string value)
    {
        value = parent.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String ? element.GetString()! : "";
        return value.Length > 0;
    }
}
