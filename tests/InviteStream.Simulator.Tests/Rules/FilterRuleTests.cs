using System.Text.Json;
using InviteStream.Simulator.Rules;

namespace InviteStream.Simulator.Tests.Rules;

/// <summary>
/// The engine's filter rules, one row per case: the session value and the filter value as JSON
/// literals, the filter's dataType and operator, and whether it matches.
/// </summary>
[TestFixture]
public sealed class FilterRuleTests
{
    [TestCase("\"gold\"", "equals", "\"gold\"", true)]
    [TestCase("\"Gold\"", "equals", "\"gold\"", false)]
    [TestCase("\"silver\"", "not_equals", "\"gold\"", true)]
    [TestCase("\"gold\"", "not_equals", "\"gold\"", false)]
    [TestCase("\"/pricing/enterprise\"", "contains", "\"pricing\"", true)]
    [TestCase("\"/PRICING/enterprise\"", "contains", "\"pricing\"", false)]
    [TestCase("\"/docs\"", "contains", "\"pricing\"", false)]
    [TestCase("\"/pricing/enterprise\"", "starts_with", "\"/pricing\"", true)]
    [TestCase("\"/docs/pricing\"", "starts_with", "\"/pricing\"", false)]
    [TestCase("\"/pricing/enterprise\"", "ends_with", "\"enterprise\"", true)]
    [TestCase("\"/enterprise/docs\"", "ends_with", "\"enterprise\"", false)]
    public void Strings_compare_ordinally(string value, string op, string filterValue, bool expected) =>
        Assert.That(Matches(value, "string", op, filterValue), Is.EqualTo(expected));

    [TestCase("5", "equals", "5", true)]
    [TestCase("6", "equals", "5", false)]
    [TestCase("6", "not_equals", "5", true)]
    [TestCase("5", "not_equals", "5", false)]
    [TestCase("52", "greater_than", "45", true)]
    [TestCase("45", "greater_than", "45", false)]
    [TestCase("45", "greater_than_or_equal", "45", true)]
    [TestCase("44", "greater_than_or_equal", "45", false)]
    [TestCase("9", "less_than", "10", true)]
    [TestCase("10", "less_than", "10", false)]
    [TestCase("10", "less_than_or_equal", "10", true)]
    [TestCase("11", "less_than_or_equal", "10", false)]
    [TestCase("-3", "less_than", "0", true)]
    [TestCase("9007199254740993", "equals", "9007199254740992", false)]
    [TestCase("9007199254740993", "greater_than", "9007199254740992", true)]
    public void Integers_compare_exactly(string value, string op, string filterValue, bool expected) =>
        Assert.That(Matches(value, "integer", op, filterValue), Is.EqualTo(expected));

    [TestCase("0.5", "equals", "0.5", true)]
    [TestCase("0.6", "equals", "0.5", false)]
    [TestCase("0.6", "not_equals", "0.5", true)]
    [TestCase("0.5", "not_equals", "0.5", false)]
    [TestCase("0.87", "greater_than", "0.72", true)]
    [TestCase("0.72", "greater_than", "0.72", false)]
    [TestCase("0.72", "greater_than_or_equal", "0.72", true)]
    [TestCase("0.71", "greater_than_or_equal", "0.72", false)]
    [TestCase("0.49", "less_than", "0.5", true)]
    [TestCase("0.5", "less_than", "0.5", false)]
    [TestCase("0.5", "less_than_or_equal", "0.5", true)]
    [TestCase("0.51", "less_than_or_equal", "0.5", false)]
    [TestCase("4.5e1", "equals", "45.0", true)]
    public void Floats_compare_as_numbers(string value, string op, string filterValue, bool expected) =>
        Assert.That(Matches(value, "float", op, filterValue), Is.EqualTo(expected));

    [TestCase("1", "greater_than", "0.72", true)]
    [TestCase("0", "greater_than", "0.72", false)]
    [TestCase("5", "equals", "5.0", true)]
    [TestCase("45", "equals", "4.5e1", true)]
    [TestCase("52", "greater_than", "45", true)]
    public void An_integer_satisfies_a_float_filter_by_widening(string value, string op, string filterValue, bool expected) =>
        Assert.That(Matches(value, "float", op, filterValue), Is.EqualTo(expected));

    [TestCase("\"0.87\"", "float", "greater_than", "0.72")]
    [TestCase("\"0.87\"", "float", "not_equals", "0.72")]
    [TestCase("\"52\"", "integer", "greater_than", "45")]
    [TestCase("\"5\"", "integer", "equals", "5")]
    [TestCase("\"true\"", "boolean", "equals", "true")]
    [TestCase("45.0", "integer", "equals", "45")]
    [TestCase("4.5e1", "integer", "equals", "45")]
    [TestCase("45e0", "integer", "equals", "45")]
    [TestCase("1E2", "integer", "greater_than", "45")]
    [TestCase("52.0", "integer", "greater_than", "45")]
    [TestCase("52.0", "integer", "not_equals", "45")]
    [TestCase("true", "integer", "equals", "1")]
    [TestCase("1", "boolean", "equals", "true")]
    [TestCase("true", "float", "not_equals", "1.0")]
    [TestCase("5", "string", "equals", "\"5\"")]
    [TestCase("true", "string", "not_equals", "\"gold\"")]
    [TestCase("[\"gold\"]", "string", "equals", "\"gold\"")]
    [TestCase("5", "string_list", "in", "[\"5\"]")]
    [TestCase("true", "string_list", "not_in", "[\"true\"]")]
    [TestCase("[\"a\", 1]", "string_list", "in", "[\"a\"]")]
    public void A_value_of_another_native_type_never_matches(string value, string dataType, string op, string filterValue) =>
        Assert.That(Matches(value, dataType, op, filterValue), Is.False);

    [TestCase("true", "equals", "true", true)]
    [TestCase("false", "equals", "true", false)]
    [TestCase("false", "not_equals", "true", true)]
    [TestCase("true", "not_equals", "true", false)]
    public void Booleans_compare_by_value(string value, string op, string filterValue, bool expected) =>
        Assert.That(Matches(value, "boolean", op, filterValue), Is.EqualTo(expected));

    [TestCase("\"en-GB\"", "in", "[\"en-US\", \"en-GB\"]", true)]
    [TestCase("\"de-DE\"", "in", "[\"en-US\", \"en-GB\"]", false)]
    [TestCase("\"EN-US\"", "in", "[\"en-US\"]", false)]
    [TestCase("[\"free\", \"beta\"]", "in", "[\"vip\", \"beta\"]", true)]
    [TestCase("[\"free\"]", "in", "[\"vip\", \"beta\"]", false)]
    [TestCase("[]", "in", "[\"vip\"]", false)]
    [TestCase("\"de-DE\"", "not_in", "[\"en-US\"]", true)]
    [TestCase("\"en-US\"", "not_in", "[\"en-US\"]", false)]
    [TestCase("[\"vip\"]", "not_in", "[\"banned\"]", true)]
    [TestCase("[\"vip\", \"banned\"]", "not_in", "[\"banned\"]", false)]
    [TestCase("[]", "not_in", "[\"banned\"]", true)]
    [TestCase("[\"c\", \"b\", \"a\"]", "containsAll", "[\"a\", \"b\"]", true)]
    [TestCase("[\"a\"]", "containsAll", "[\"a\", \"b\"]", false)]
    [TestCase("\"a\"", "containsAll", "[\"a\", \"b\"]", false)]
    [TestCase("\"a\"", "containsAll", "[\"a\"]", true)]
    [TestCase("[\"a\"]", "notContainsAll", "[\"a\", \"b\"]", true)]
    [TestCase("[\"b\", \"a\"]", "notContainsAll", "[\"a\", \"b\"]", false)]
    public void String_lists_compare_as_sets_and_a_string_is_a_one_element_list(string value, string op, string filterValue, bool expected) =>
        Assert.That(Matches(value, "string_list", op, filterValue), Is.EqualTo(expected));

    [TestCase("5", "integer", "equal", "5", true)]
    [TestCase("5", "integer", "notEqual", "5", false)]
    [TestCase("52", "integer", "greaterThan", "45", true)]
    [TestCase("44", "integer", "greaterThanOrEqual", "45", false)]
    [TestCase("0.49", "float", "lessThan", "0.5", true)]
    [TestCase("0.51", "float", "lessThanOrEqual", "0.5", false)]
    [TestCase("\"/pricing/enterprise\"", "string", "startsWith", "\"/pricing\"", true)]
    [TestCase("\"/enterprise/docs\"", "string", "endsWith", "\"enterprise\"", false)]
    [TestCase("[\"free\", \"beta\"]", "string_list", "containsAny", "[\"vip\", \"beta\"]", true)]
    [TestCase("\"en-US\"", "string_list", "notContainsAny", "[\"en-US\"]", false)]
    public void Genesys_operator_names_are_synonyms_of_the_guide_names(string value, string dataType, string op, string filterValue, bool expected) =>
        Assert.That(Matches(value, dataType, op, filterValue), Is.EqualTo(expected));

    [TestCase("string", "equals", "\"gold\"")]
    [TestCase("string", "not_equals", "\"gold\"")]
    [TestCase("integer", "not_equals", "5")]
    [TestCase("float", "less_than", "0.5")]
    [TestCase("boolean", "not_equals", "true")]
    [TestCase("string", "contains", "\"pricing\"")]
    [TestCase("string_list", "not_in", "[\"banned\"]")]
    [TestCase("string_list", "notContainsAll", "[\"a\"]")]
    public void A_missing_attribute_never_matches(string dataType, string op, string filterValue) =>
        Assert.That(Rule(dataType, op, filterValue).Matches(Json("""{"session.other": "x"}""")), Is.False);

    [TestCase("exists", "\"any type\"", true)]
    [TestCase("exists", "0.87", true)]
    [TestCase("exists", "false", true)]
    [TestCase("exists", "[]", true)]
    [TestCase("exists", null, false)]
    [TestCase("not_exists", "\"any type\"", false)]
    [TestCase("not_exists", "45", false)]
    [TestCase("not_exists", null, true)]
    public void Presence_operators_look_only_at_the_key(string op, string? value, bool expected)
    {
        var rule = Read($$"""{"attributeName": "session.signal", "operator": "{{op}}", "dataType": "integer"}""");
        var sessionData = value is null ? Json("{}") : Json($$"""{"session.signal": {{value}}}""");
        Assert.That(rule.Matches(sessionData), Is.EqualTo(expected));
    }

    [TestCase("""{"attributeName": "a", "operator": "around", "value": 1, "dataType": "integer"}""", "unknown operator 'around'")]
    [TestCase("""{"attributeName": "a", "operator": "equals", "value": 1, "dataType": "number"}""", "filter on 'a' has no known dataType")]
    [TestCase("""{"attributeName": "a", "operator": "greater_than", "value": "b", "dataType": "string"}""", "operator 'greater_than' cannot compare dataType 'string'")]
    [TestCase("""{"attributeName": "a", "operator": "in", "value": ["b"], "dataType": "string"}""", "operator 'in' cannot compare dataType 'string'")]
    [TestCase("""{"attributeName": "a", "operator": "equals", "value": ["b"], "dataType": "string_list"}""", "operator 'equals' cannot compare dataType 'string_list'")]
    [TestCase("""{"attributeName": "a", "operator": "equals", "value": 45.0, "dataType": "integer"}""", "filter on 'a' needs a value of dataType 'integer'")]
    [TestCase("""{"attributeName": "a", "operator": "equals", "dataType": "integer"}""", "filter on 'a' needs a value of dataType 'integer'")]
    [TestCase("""{"operator": "exists"}""", "a filter needs attributeName and operator")]
    public void A_filter_the_engine_cannot_evaluate_is_refused_with_the_reason(string filter, string reason)
    {
        Assert.That(FilterRule.TryRead(Json(filter), out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(reason));
    }

    private static bool Matches(string value, string dataType, string op, string filterValue) =>
        Rule(dataType, op, filterValue).Matches(Json($$"""{"session.signal": {{value}}}"""));

    private static FilterRule Rule(string dataType, string op, string filterValue) =>
        Read($$"""{"attributeName": "session.signal", "operator": "{{op}}", "value": {{filterValue}}, "dataType": "{{dataType}}"}""");

    private static FilterRule Read(string filter)
    {
        Assert.That(FilterRule.TryRead(Json(filter), out var rule, out var error), Is.True, error);
        return rule;
    }

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
