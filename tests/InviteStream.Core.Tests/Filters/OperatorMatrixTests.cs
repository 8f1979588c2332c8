using InviteStream.Core.Attributes;
using InviteStream.Core.Filters;

namespace InviteStream.Core.Tests.Filters;

/// <summary>
/// Every operator over every data type it supports: a value that matches, one that does not, and
/// every attribute type the data type does not accept (a type mismatch, never a silent false).
/// </summary>
[TestFixture]
public sealed class OperatorMatrixTests
{
    private const string Attribute = "session.signal";

    private static readonly AttributeKind[] AllKinds = Enum.GetValues<AttributeKind>();

    // (operator, dataType, filter value, an attribute value that matches, one that does not)
    private static readonly (FilterOperator Op, AttributeDataType Type, AttributeValue Value, AttributeValue Match, AttributeValue NoMatch)[] Cases =
    [
        (FilterOperator.EqualTo, AttributeDataType.String, S("gold"), S("gold"), S("silver")),
        (FilterOperator.EqualTo, AttributeDataType.Integer, I(5), I(5), I(6)),
        (FilterOperator.EqualTo, AttributeDataType.Float, F(0.5), F(0.5), F(0.6)),
        (FilterOperator.EqualTo, AttributeDataType.Boolean, B(true), B(true), B(false)),
        (FilterOperator.NotEqualTo, AttributeDataType.String, S("gold"), S("silver"), S("gold")),
        (FilterOperator.NotEqualTo, AttributeDataType.Integer, I(5), I(6), I(5)),
        (FilterOperator.NotEqualTo, AttributeDataType.Float, F(0.5), F(0.6), F(0.5)),
        (FilterOperator.NotEqualTo, AttributeDataType.Boolean, B(true), B(false), B(true)),
        (FilterOperator.GreaterThan, AttributeDataType.Integer, I(45), I(46), I(45)),
        (FilterOperator.GreaterThan, AttributeDataType.Float, F(0.72), F(0.87), F(0.72)),
        (FilterOperator.GreaterThanOrEqual, AttributeDataType.Integer, I(45), I(45), I(44)),
        (FilterOperator.GreaterThanOrEqual, AttributeDataType.Float, F(0.72), F(0.72), F(0.71)),
        (FilterOperator.LessThan, AttributeDataType.Integer, I(10), I(9), I(10)),
        (FilterOperator.LessThan, AttributeDataType.Float, F(0.5), F(0.49), F(0.5)),
        (FilterOperator.LessThanOrEqual, AttributeDataType.Integer, I(10), I(10), I(11)),
        (FilterOperator.LessThanOrEqual, AttributeDataType.Float, F(0.5), F(0.5), F(0.51)),
        (FilterOperator.Contains, AttributeDataType.String, S("pricing"), S("/pricing/enterprise"), S("/docs")),
        (FilterOperator.StartsWith, AttributeDataType.String, S("/pricing"), S("/pricing/enterprise"), S("/docs/pricing")),
        (FilterOperator.EndsWith, AttributeDataType.String, S("enterprise"), S("/pricing/enterprise"), S("/enterprise/docs")),
        (FilterOperator.In, AttributeDataType.StringList, L("en-US", "en-GB"), S("en-GB"), S("de-DE")),
        (FilterOperator.In, AttributeDataType.StringList, L("vip", "beta"), L("free", "beta"), L("free")),
        (FilterOperator.NotIn, AttributeDataType.StringList, L("en-US"), S("de-DE"), S("en-US")),
        (FilterOperator.NotIn, AttributeDataType.StringList, L("banned"), L("vip"), L("vip", "banned")),
        (FilterOperator.ContainsAll, AttributeDataType.StringList, L("a", "b"), L("c", "b", "a"), L("a")),
        (FilterOperator.NotContainsAll, AttributeDataType.StringList, L("a", "b"), L("a"), L("b", "a")),
    ];

    public static IEnumerable<TestCaseData> Matching() => Cases.Select(c =>
        new TestCaseData(c.Op, c.Type, c.Value, c.Match).SetName($"{c.Op} {c.Type} matches {c.Match}"));

    public static IEnumerable<TestCaseData> NotMatching() => Cases.Select(c =>
        new TestCaseData(c.Op, c.Type, c.Value, c.NoMatch).SetName($"{c.Op} {c.Type} does not match {c.NoMatch}"));

    public static IEnumerable<TestCaseData> Mismatches() => Cases
        .SelectMany(c => AllKinds.Where(k => !DataTypeNames.Accepts(c.Type, k)).Select(k => (c.Op, c.Type, c.Value, Kind: k)))
        .Select(c => new TestCaseData(c.Op, c.Type, c.Value, SampleOf(c.Kind)).SetName($"{c.Op} {c.Type} reports a {c.Kind} value as a type mismatch"));

    public static IEnumerable<TestCaseData> Missing() => Cases.Select(c => new TestCaseData(c.Op, c.Type, c.Value).SetName($"{c.Op} {c.Type} reports a missing attribute"));

    [TestCaseSource(nameof(Matching))]
    public void Matches(FilterOperator op, AttributeDataType type, AttributeValue value, AttributeValue actual) =>
        Assert.That(Evaluate(op, type, value, actual), Is.EqualTo(FilterResult.Matched));

    [TestCaseSource(nameof(NotMatching))]
    public void Does_not_match(FilterOperator op, AttributeDataType type, AttributeValue value, AttributeValue actual) =>
        Assert.That(Evaluate(op, type, value, actual), Is.EqualTo(FilterResult.NotMatched));

    [TestCaseSource(nameof(Mismatches))]
    public void Type_mismatch(FilterOperator op, AttributeDataType type, AttributeValue value, AttributeValue actual) =>
        Assert.That(Evaluate(op, type, value, actual), Is.EqualTo(FilterResult.TypeMismatch(type, actual.Kind)));

    [TestCaseSource(nameof(Missing))]
    public void Missing_attribute(FilterOperator op, AttributeDataType type, AttributeValue value) =>
        Assert.That(FilterEvaluator.Evaluate(new Filter(Attribute, op, value, type), new Dictionary<string, AttributeValue>()), Is.EqualTo(FilterResult.Missing));

    [Test]
    public void Every_operator_and_supported_type_is_covered()
    {
        var covered = Cases.Select(c => (c.Op, c.Type)).ToHashSet();
        var supported = Enum.GetValues<FilterOperator>()
            .Where(op => op is not (FilterOperator.Exists or FilterOperator.NotExists))
            .SelectMany(op => Enum.GetValues<AttributeDataType>().Where(t => FilterOperatorNames.Supports(op, t)).Select(t => (op, t)));
        Assert.That(covered, Is.EquivalentTo(supported));
    }

    [Test]
    public void A_number_sent_as_a_string_never_satisfies_a_float_filter() =>
        Assert.That(
            Evaluate(FilterOperator.GreaterThan, AttributeDataType.Float, F(0.72), S("0.87")).ToString(),
            Is.EqualTo("type_mismatch(expected=float,actual=string)"));

    [Test]
    public void An_integer_satisfies_a_float_filter_by_widening() =>
        Assert.That(Evaluate(FilterOperator.GreaterThan, AttributeDataType.Float, F(0.72), I(1)), Is.EqualTo(FilterResult.Matched));

    [Test]
    public void A_float_never_satisfies_an_integer_filter() =>
        Assert.That(Evaluate(FilterOperator.GreaterThan, AttributeDataType.Integer, I(45), F(52.0)), Is.EqualTo(FilterResult.TypeMismatch(AttributeDataType.Integer, AttributeKind.Float)));

    [Test]
    public void Equality_of_an_integer_and_a_float_filter_value_compares_numbers() =>
        Assert.That(Evaluate(FilterOperator.EqualTo, AttributeDataType.Float, F(5.0), I(5)), Is.EqualTo(FilterResult.Matched));

    [TestCase(FilterOperator.Exists, true, FilterResultKind.Matched)]
    [TestCase(FilterOperator.Exists, false, FilterResultKind.NotMatched)]
    [TestCase(FilterOperator.NotExists, true, FilterResultKind.NotMatched)]
    [TestCase(FilterOperator.NotExists, false, FilterResultKind.Matched)]
    public void Presence_operators_look_only_at_the_key(FilterOperator op, bool present, FilterResultKind expected)
    {
        var attributes = new Dictionary<string, AttributeValue>();
        if (present)
        {
            attributes[Attribute] = S("any type will do");
        }

        Assert.That(FilterEvaluator.Evaluate(new Filter(Attribute, op, default, AttributeDataType.Integer), attributes).Kind, Is.EqualTo(expected));
    }

    [TestCase("equal", "equals")]
    [TestCase("notEqual", "not_equals")]
    [TestCase("greaterThan", "greater_than")]
    [TestCase("greaterThanOrEqual", "greater_than_or_equal")]
    [TestCase("lessThan", "less_than")]
    [TestCase("lessThanOrEqual", "less_than_or_equal")]
    [TestCase("containsAny", "in")]
    [TestCase("notContainsAny", "not_in")]
    [TestCase("startsWith", "starts_with")]
    [TestCase("endsWith", "ends_with")]
    public void Genesys_operator_names_mean_the_guide_operators(string genesys, string guide)
    {
        Assert.That(FilterOperatorNames.TryParse(genesys, out var fromGenesys), Is.True);
        Assert.That(FilterOperatorNames.TryParse(guide, out var fromGuide), Is.True);
        Assert.That(fromGenesys, Is.EqualTo(fromGuide));
    }

    private static FilterResult Evaluate(FilterOperator op, AttributeDataType type, AttributeValue value, AttributeValue actual) =>
        FilterEvaluator.Evaluate(new Filter(Attribute, op, value, type), new Dictionary<string, AttributeValue> { [Attribute] = actual });

    private static AttributeValue SampleOf(AttributeKind kind) => kind switch
    {
        AttributeKind.String => S("0.87"),
        AttributeKind.Integer => I(7),
        AttributeKind.Float => F(7.5),
        AttributeKind.Boolean => B(true),
        _ => L("x"),
    };

    private static AttributeValue S(string value) => AttributeValue.FromString(value);

    private static AttributeValue I(long value) => AttributeValue.FromInteger(value);

    private static AttributeValue F(double value) => AttributeValue.FromFloat(value);

    private static AttributeValue B(bool value) => AttributeValue.FromBoolean(value);

    private static AttributeValue L(params string[] values) => AttributeValue.FromStringList(values);
}
