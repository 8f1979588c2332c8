using InviteStream.Core.Attributes;
using InviteStream.Core.Filters;
using static InviteStream.Core.Filters.FilterOperator;
using DataType = InviteStream.Core.Filters.AttributeDataType;
using Kind = InviteStream.Core.Attributes.AttributeKind;

namespace InviteStream.Core.Tests.Filters;

/// <summary>
/// Every operator over every data type it supports, as a table of literals: a value that matches,
/// one that does not, every native type the data type does not accept (a type mismatch, never a
/// silent false), and a missing attribute. No expectation is computed by the code under test.
/// </summary>
[TestFixture]
public sealed class OperatorMatrixTests
{
    private const string Attribute = "session.signal";

    private static AttributeValue? Absent => null;

    private static readonly FilterResult Matched = FilterResult.Matched;

    private static readonly FilterResult NotMatched = FilterResult.NotMatched;

    private static readonly FilterResult Missing = FilterResult.Missing;

    // (attribute value or Absent, dataType, operator, filter value, expected result)
    private static readonly (AttributeValue? Value, DataType Type, FilterOperator Op, AttributeValue FilterValue, FilterResult Expected)[] Table =
    [
        // A value that matches, and one that does not.
        (S("gold"), DataType.String, EqualTo, S("gold"), Matched),
        (S("silver"), DataType.String, EqualTo, S("gold"), NotMatched),
        (I(5), DataType.Integer, EqualTo, I(5), Matched),
        (I(6), DataType.Integer, EqualTo, I(5), NotMatched),
        (F(0.5), DataType.Float, EqualTo, F(0.5), Matched),
        (F(0.6), DataType.Float, EqualTo, F(0.5), NotMatched),
        (B(true), DataType.Boolean, EqualTo, B(true), Matched),
        (B(false), DataType.Boolean, EqualTo, B(true), NotMatched),
        (S("silver"), DataType.String, NotEqualTo, S("gold"), Matched),
        (S("gold"), DataType.String, NotEqualTo, S("gold"), NotMatched),
        (I(6), DataType.Integer, NotEqualTo, I(5), Matched),
        (I(5), DataType.Integer, NotEqualTo, I(5), NotMatched),
        (F(0.6), DataType.Float, NotEqualTo, F(0.5), Matched),
        (F(0.5), DataType.Float, NotEqualTo, F(0.5), NotMatched),
        (B(false), DataType.Boolean, NotEqualTo, B(true), Matched),
        (B(true), DataType.Boolean, NotEqualTo, B(true), NotMatched),
        (I(46), DataType.Integer, GreaterThan, I(45), Matched),
        (I(45), DataType.Integer, GreaterThan, I(45), NotMatched),
        (F(0.87), DataType.Float, GreaterThan, F(0.72), Matched),
        (F(0.72), DataType.Float, GreaterThan, F(0.72), NotMatched),
        (I(45), DataType.Integer, GreaterThanOrEqual, I(45), Matched),
        (I(44), DataType.Integer, GreaterThanOrEqual, I(45), NotMatched),
        (F(0.72), DataType.Float, GreaterThanOrEqual, F(0.72), Matched),
        (F(0.71), DataType.Float, GreaterThanOrEqual, F(0.72), NotMatched),
        (I(9), DataType.Integer, LessThan, I(10), Matched),
        (I(10), DataType.Integer, LessThan, I(10), NotMatched),
        (F(0.49), DataType.Float, LessThan, F(0.5), Matched),
        (F(0.5), DataType.Float, LessThan, F(0.5), NotMatched),
        (I(10), DataType.Integer, LessThanOrEqual, I(10), Matched),
        (I(11), DataType.Integer, LessThanOrEqual, I(10), NotMatched),
        (F(0.5), DataType.Float, LessThanOrEqual, F(0.5), Matched),
        (F(0.51), DataType.Float, LessThanOrEqual, F(0.5), NotMatched),
        (S("/pricing/enterprise"), DataType.String, FilterOperator.Contains, S("pricing"), Matched),
        (S("/docs"), DataType.String, FilterOperator.Contains, S("pricing"), NotMatched),
        (S("/pricing/enterprise"), DataType.String, StartsWith, S("/pricing"), Matched),
        (S("/docs/pricing"), DataType.String, StartsWith, S("/pricing"), NotMatched),
        (S("/pricing/enterprise"), DataType.String, EndsWith, S("enterprise"), Matched),
        (S("/enterprise/docs"), DataType.String, EndsWith, S("enterprise"), NotMatched),
        (S("en-GB"), DataType.StringList, In, L("en-US", "en-GB"), Matched),
        (S("de-DE"), DataType.StringList, In, L("en-US", "en-GB"), NotMatched),
        (L("free", "beta"), DataType.StringList, In, L("vip", "beta"), Matched),
        (L("free"), DataType.StringList, In, L("vip", "beta"), NotMatched),
        (S("de-DE"), DataType.StringList, NotIn, L("en-US"), Matched),
        (S("en-US"), DataType.StringList, NotIn, L("en-US"), NotMatched),
        (L("vip"), DataType.StringList, NotIn, L("banned"), Matched),
        (L("vip", "banned"), DataType.StringList, NotIn, L("banned"), NotMatched),
        (L("c", "b", "a"), DataType.StringList, ContainsAll, L("a", "b"), Matched),
        (L("a"), DataType.StringList, ContainsAll, L("a", "b"), NotMatched),
        (L("a"), DataType.StringList, NotContainsAll, L("a", "b"), Matched),
        (L("b", "a"), DataType.StringList, NotContainsAll, L("a", "b"), NotMatched),

        // An integer widens to float, and a float filter may hold an integer.
        (I(5), DataType.Float, EqualTo, F(5.0), Matched),
        (I(5), DataType.Float, NotEqualTo, F(5.0), NotMatched),
        (I(1), DataType.Float, GreaterThan, F(0.72), Matched),
        (I(0), DataType.Float, GreaterThanOrEqual, F(0.72), NotMatched),
        (I(0), DataType.Float, LessThan, F(0.5), Matched),
        (I(1), DataType.Float, LessThanOrEqual, F(0.5), NotMatched),
        (F(45.5), DataType.Float, GreaterThan, I(45), Matched),

        // Every native type the dataType does not accept: a type mismatch, never a silent false.
        (I(7), DataType.String, EqualTo, S("gold"), Mismatch(DataType.String, Kind.Integer)),
        (F(7.5), DataType.String, EqualTo, S("gold"), Mismatch(DataType.String, Kind.Float)),
        (B(true), DataType.String, EqualTo, S("gold"), Mismatch(DataType.String, Kind.Boolean)),
        (L("x"), DataType.String, EqualTo, S("gold"), Mismatch(DataType.String, Kind.StringList)),
        (S("0.87"), DataType.Integer, EqualTo, I(5), Mismatch(DataType.Integer, Kind.String)),
        (F(7.5), DataType.Integer, EqualTo, I(5), Mismatch(DataType.Integer, Kind.Float)),
        (B(true), DataType.Integer, EqualTo, I(5), Mismatch(DataType.Integer, Kind.Boolean)),
        (L("x"), DataType.Integer, EqualTo, I(5), Mismatch(DataType.Integer, Kind.StringList)),
        (S("0.87"), DataType.Float, EqualTo, F(0.5), Mismatch(DataType.Float, Kind.String)),
        (B(true), DataType.Float, EqualTo, F(0.5), Mismatch(DataType.Float, Kind.Boolean)),
        (L("x"), DataType.Float, EqualTo, F(0.5), Mismatch(DataType.Float, Kind.StringList)),
        (S("0.87"), DataType.Boolean, EqualTo, B(true), Mismatch(DataType.Boolean, Kind.String)),
        (I(7), DataType.Boolean, EqualTo, B(true), Mismatch(DataType.Boolean, Kind.Integer)),
        (F(7.5), DataType.Boolean, EqualTo, B(true), Mismatch(DataType.Boolean, Kind.Float)),
        (L("x"), DataType.Boolean, EqualTo, B(true), Mismatch(DataType.Boolean, Kind.StringList)),
        (I(7), DataType.String, NotEqualTo, S("gold"), Mismatch(DataType.String, Kind.Integer)),
        (F(7.5), DataType.String, NotEqualTo, S("gold"), Mismatch(DataType.String, Kind.Float)),
        (B(true), DataType.String, NotEqualTo, S("gold"), Mismatch(DataType.String, Kind.Boolean)),
        (L("x"), DataType.String, NotEqualTo, S("gold"), Mismatch(DataType.String, Kind.StringList)),
        (S("0.87"), DataType.Integer, NotEqualTo, I(5), Mismatch(DataType.Integer, Kind.String)),
        (F(7.5), DataType.Integer, NotEqualTo, I(5), Mismatch(DataType.Integer, Kind.Float)),
        (B(true), DataType.Integer, NotEqualTo, I(5), Mismatch(DataType.Integer, Kind.Boolean)),
        (L("x"), DataType.Integer, NotEqualTo, I(5), Mismatch(DataType.Integer, Kind.StringList)),
        (S("0.87"), DataType.Float, NotEqualTo, F(0.5), Mismatch(DataType.Float, Kind.String)),
        (B(true), DataType.Float, NotEqualTo, F(0.5), Mismatch(DataType.Float, Kind.Boolean)),
        (L("x"), DataType.Float, NotEqualTo, F(0.5), Mismatch(DataType.Float, Kind.StringList)),
        (S("0.87"), DataType.Boolean, NotEqualTo, B(true), Mismatch(DataType.Boolean, Kind.String)),
        (I(7), DataType.Boolean, NotEqualTo, B(true), Mismatch(DataType.Boolean, Kind.Integer)),
        (F(7.5), DataType.Boolean, NotEqualTo, B(true), Mismatch(DataType.Boolean, Kind.Float)),
        (L("x"), DataType.Boolean, NotEqualTo, B(true), Mismatch(DataType.Boolean, Kind.StringList)),
        (S("0.87"), DataType.Integer, GreaterThan, I(45), Mismatch(DataType.Integer, Kind.String)),
        (F(7.5), DataType.Integer, GreaterThan, I(45), Mismatch(DataType.Integer, Kind.Float)),
        (B(true), DataType.Integer, GreaterThan, I(45), Mismatch(DataType.Integer, Kind.Boolean)),
        (L("x"), DataType.Integer, GreaterThan, I(45), Mismatch(DataType.Integer, Kind.StringList)),
        (S("0.87"), DataType.Float, GreaterThan, F(0.72), Mismatch(DataType.Float, Kind.String)),
        (B(true), DataType.Float, GreaterThan, F(0.72), Mismatch(DataType.Float, Kind.Boolean)),
        (L("x"), DataType.Float, GreaterThan, F(0.72), Mismatch(DataType.Float, Kind.StringList)),
        (S("0.87"), DataType.Integer, GreaterThanOrEqual, I(45), Mismatch(DataType.Integer, Kind.String)),
        (F(7.5), DataType.Integer, GreaterThanOrEqual, I(45), Mismatch(DataType.Integer, Kind.Float)),
        (B(true), DataType.Integer, GreaterThanOrEqual, I(45), Mismatch(DataType.Integer, Kind.Boolean)),
        (L("x"), DataType.Integer, GreaterThanOrEqual, I(45), Mismatch(DataType.Integer, Kind.StringList)),
        (S("0.87"), DataType.Float, GreaterThanOrEqual, F(0.72), Mismatch(DataType.Float, Kind.String)),
        (B(true), DataType.Float, GreaterThanOrEqual, F(0.72), Mismatch(DataType.Float, Kind.Boolean)),
        (L("x"), DataType.Float, GreaterThanOrEqual, F(0.72), Mismatch(DataType.Float, Kind.StringList)),
        (S("0.87"), DataType.Integer, LessThan, I(10), Mismatch(DataType.Integer, Kind.String)),
        (F(7.5), DataType.Integer, LessThan, I(10), Mismatch(DataType.Integer, Kind.Float)),
        (B(true), DataType.Integer, LessThan, I(10), Mismatch(DataType.Integer, Kind.Boolean)),
        (L("x"), DataType.Integer, LessThan, I(10), Mismatch(DataType.Integer, Kind.StringList)),
        (S("0.87"), DataType.Float, LessThan, F(0.5), Mismatch(DataType.Float, Kind.String)),
        (B(true), DataType.Float, LessThan, F(0.5), Mismatch(DataType.Float, Kind.Boolean)),
        (L("x"), DataType.Float, LessThan, F(0.5), Mismatch(DataType.Float, Kind.StringList)),
        (S("0.87"), DataType.Integer, LessThanOrEqual, I(10), Mismatch(DataType.Integer, Kind.String)),
        (F(7.5), DataType.Integer, LessThanOrEqual, I(10), Mismatch(DataType.Integer, Kind.Float)),
        (B(true), DataType.Integer, LessThanOrEqual, I(10), Mismatch(DataType.Integer, Kind.Boolean)),
        (L("x"), DataType.Integer, LessThanOrEqual, I(10), Mismatch(DataType.Integer, Kind.StringList)),
        (S("0.87"), DataType.Float, LessThanOrEqual, F(0.5), Mismatch(DataType.Float, Kind.String)),
        (B(true), DataType.Float, LessThanOrEqual, F(0.5), Mismatch(DataType.Float, Kind.Boolean)),
        (L("x"), DataType.Float, LessThanOrEqual, F(0.5), Mismatch(DataType.Float, Kind.StringList)),
        (I(7), DataType.String, FilterOperator.Contains, S("pricing"), Mismatch(DataType.String, Kind.Integer)),
        (F(7.5), DataType.String, FilterOperator.Contains, S("pricing"), Mismatch(DataType.String, Kind.Float)),
        (B(true), DataType.String, FilterOperator.Contains, S("pricing"), Mismatch(DataType.String, Kind.Boolean)),
        (L("x"), DataType.String, FilterOperator.Contains, S("pricing"), Mismatch(DataType.String, Kind.StringList)),
        (I(7), DataType.String, StartsWith, S("/pricing"), Mismatch(DataType.String, Kind.Integer)),
        (F(7.5), DataType.String, StartsWith, S("/pricing"), Mismatch(DataType.String, Kind.Float)),
        (B(true), DataType.String, StartsWith, S("/pricing"), Mismatch(DataType.String, Kind.Boolean)),
        (L("x"), DataType.String, StartsWith, S("/pricing"), Mismatch(DataType.String, Kind.StringList)),
        (I(7), DataType.String, EndsWith, S("enterprise"), Mismatch(DataType.String, Kind.Integer)),
        (F(7.5), DataType.String, EndsWith, S("enterprise"), Mismatch(DataType.String, Kind.Float)),
        (B(true), DataType.String, EndsWith, S("enterprise"), Mismatch(DataType.String, Kind.Boolean)),
        (L("x"), DataType.String, EndsWith, S("enterprise"), Mismatch(DataType.String, Kind.StringList)),
        (I(7), DataType.StringList, In, L("en-US", "en-GB"), Mismatch(DataType.StringList, Kind.Integer)),
        (F(7.5), DataType.StringList, In, L("en-US", "en-GB"), Mismatch(DataType.StringList, Kind.Float)),
        (B(true), DataType.StringList, In, L("en-US", "en-GB"), Mismatch(DataType.StringList, Kind.Boolean)),
        (I(7), DataType.StringList, In, L("vip", "beta"), Mismatch(DataType.StringList, Kind.Integer)),
        (F(7.5), DataType.StringList, In, L("vip", "beta"), Mismatch(DataType.StringList, Kind.Float)),
        (B(true), DataType.StringList, In, L("vip", "beta"), Mismatch(DataType.StringList, Kind.Boolean)),
        (I(7), DataType.StringList, NotIn, L("en-US"), Mismatch(DataType.StringList, Kind.Integer)),
        (F(7.5), DataType.StringList, NotIn, L("en-US"), Mismatch(DataType.StringList, Kind.Float)),
        (B(true), DataType.StringList, NotIn, L("en-US"), Mismatch(DataType.StringList, Kind.Boolean)),
        (I(7), DataType.StringList, NotIn, L("banned"), Mismatch(DataType.StringList, Kind.Integer)),
        (F(7.5), DataType.StringList, NotIn, L("banned"), Mismatch(DataType.StringList, Kind.Float)),
        (B(true), DataType.StringList, NotIn, L("banned"), Mismatch(DataType.StringList, Kind.Boolean)),
        (I(7), DataType.StringList, ContainsAll, L("a", "b"), Mismatch(DataType.StringList, Kind.Integer)),
        (F(7.5), DataType.StringList, ContainsAll, L("a", "b"), Mismatch(DataType.StringList, Kind.Float)),
        (B(true), DataType.StringList, ContainsAll, L("a", "b"), Mismatch(DataType.StringList, Kind.Boolean)),
        (I(7), DataType.StringList, NotContainsAll, L("a", "b"), Mismatch(DataType.StringList, Kind.Integer)),
        (F(7.5), DataType.StringList, NotContainsAll, L("a", "b"), Mismatch(DataType.StringList, Kind.Float)),
        (B(true), DataType.StringList, NotContainsAll, L("a", "b"), Mismatch(DataType.StringList, Kind.Boolean)),

        // No attribute at all.
        (Absent, DataType.String, EqualTo, S("gold"), Missing),
        (Absent, DataType.Integer, EqualTo, I(5), Missing),
        (Absent, DataType.Float, EqualTo, F(0.5), Missing),
        (Absent, DataType.Boolean, EqualTo, B(true), Missing),
        (Absent, DataType.String, NotEqualTo, S("gold"), Missing),
        (Absent, DataType.Integer, NotEqualTo, I(5), Missing),
        (Absent, DataType.Float, NotEqualTo, F(0.5), Missing),
        (Absent, DataType.Boolean, NotEqualTo, B(true), Missing),
        (Absent, DataType.Integer, GreaterThan, I(45), Missing),
        (Absent, DataType.Float, GreaterThan, F(0.72), Missing),
        (Absent, DataType.Integer, GreaterThanOrEqual, I(45), Missing),
        (Absent, DataType.Float, GreaterThanOrEqual, F(0.72), Missing),
        (Absent, DataType.Integer, LessThan, I(10), Missing),
        (Absent, DataType.Float, LessThan, F(0.5), Missing),
        (Absent, DataType.Integer, LessThanOrEqual, I(10), Missing),
        (Absent, DataType.Float, LessThanOrEqual, F(0.5), Missing),
        (Absent, DataType.String, FilterOperator.Contains, S("pricing"), Missing),
        (Absent, DataType.String, StartsWith, S("/pricing"), Missing),
        (Absent, DataType.String, EndsWith, S("enterprise"), Missing),
        (Absent, DataType.StringList, In, L("en-US", "en-GB"), Missing),
        (Absent, DataType.StringList, In, L("vip", "beta"), Missing),
        (Absent, DataType.StringList, NotIn, L("en-US"), Missing),
        (Absent, DataType.StringList, NotIn, L("banned"), Missing),
        (Absent, DataType.StringList, ContainsAll, L("a", "b"), Missing),
        (Absent, DataType.StringList, NotContainsAll, L("a", "b"), Missing),
    ];

    // The data types each comparing operator supports; anything else is a definition error.
    private static readonly (FilterOperator Op, DataType[] Types)[] Supported =
    [
        (EqualTo, [DataType.String, DataType.Integer, DataType.Float, DataType.Boolean]),
        (NotEqualTo, [DataType.String, DataType.Integer, DataType.Float, DataType.Boolean]),
        (GreaterThan, [DataType.Integer, DataType.Float]),
        (GreaterThanOrEqual, [DataType.Integer, DataType.Float]),
        (LessThan, [DataType.Integer, DataType.Float]),
        (LessThanOrEqual, [DataType.Integer, DataType.Float]),
        (FilterOperator.Contains, [DataType.String]),
        (StartsWith, [DataType.String]),
        (EndsWith, [DataType.String]),
        (In, [DataType.StringList]),
        (NotIn, [DataType.StringList]),
        (ContainsAll, [DataType.StringList]),
        (NotContainsAll, [DataType.StringList]),
        (Exists, [DataType.String, DataType.Integer, DataType.Float, DataType.Boolean, DataType.StringList]),
        (NotExists, [DataType.String, DataType.Integer, DataType.Float, DataType.Boolean, DataType.StringList]),
    ];

    public static IEnumerable<TestCaseData> Rows() => Table.Select(row =>
        new TestCaseData(row.Value, row.Type, row.Op, row.FilterValue, row.Expected)
            .SetName($"{row.Op} {row.Type} {row.FilterValue} against {(row.Value is { } value ? $"{value.Kind} {value}" : "a missing attribute")} is {row.Expected}"));

    public static IEnumerable<TestCaseData> OperatorsByDataType() =>
        from op in Enum.GetValues<FilterOperator>()
        from type in Enum.GetValues<DataType>()
        let expected = Array.IndexOf(Supported.Single(s => s.Op == op).Types, type) >= 0
        select new TestCaseData(op, type, expected).SetName($"{op} {(expected ? "compares" : "cannot compare")} {type}");

    [TestCaseSource(nameof(Rows))]
    public void Each_row_evaluates_to_its_expected_result(AttributeValue? value, DataType type, FilterOperator op, AttributeValue filterValue, FilterResult expected)
    {
        var attributes = new Dictionary<string, AttributeValue>();
        if (value is { } present)
        {
            attributes[Attribute] = present;
        }

        Assert.That(FilterEvaluator.Evaluate(new Filter(Attribute, op, filterValue, type), attributes), Is.EqualTo(expected));
    }

    [Test]
    public void Every_operator_and_supported_type_is_in_the_table()
    {
        var covered = Table.Select(row => (row.Op, row.Type)).ToHashSet();
        var comparing = Supported.Where(s => s.Op is not (Exists or NotExists)).SelectMany(s => s.Types.Select(type => (s.Op, type)));
        Assert.That(covered, Is.EquivalentTo(comparing));
    }

    [TestCaseSource(nameof(OperatorsByDataType))]
    public void Operators_compare_only_their_data_types(FilterOperator op, DataType type, bool expected) =>
        Assert.That(FilterOperatorNames.Supports(op, type), Is.EqualTo(expected));

    [Test]
    public void A_number_sent_as_a_string_never_satisfies_a_float_filter() =>
        Assert.That(
            Evaluate(GreaterThan, DataType.Float, F(0.72), S("0.87")).ToString(),
            Is.EqualTo("type_mismatch(expected=float,actual=string)"));

    [Test]
    public void An_integer_satisfies_a_float_filter_by_widening() =>
        Assert.That(Evaluate(GreaterThan, DataType.Float, F(0.72), I(1)), Is.EqualTo(FilterResult.Matched));

    [Test]
    public void A_float_never_satisfies_an_integer_filter() =>
        Assert.That(Evaluate(GreaterThan, DataType.Integer, I(45), F(52.0)), Is.EqualTo(Mismatch(DataType.Integer, Kind.Float)));

    [Test]
    public void Equality_of_an_integer_and_a_float_filter_value_compares_numbers() =>
        Assert.That(Evaluate(EqualTo, DataType.Float, F(5.0), I(5)), Is.EqualTo(FilterResult.Matched));

    [TestCase(Exists, true, FilterResultKind.Matched)]
    [TestCase(Exists, false, FilterResultKind.NotMatched)]
    [TestCase(NotExists, true, FilterResultKind.NotMatched)]
    [TestCase(NotExists, false, FilterResultKind.Matched)]
    public void Presence_operators_look_only_at_the_key(FilterOperator op, bool present, FilterResultKind expected)
    {
        var attributes = new Dictionary<string, AttributeValue>();
        if (present)
        {
            attributes[Attribute] = S("any type will do");
        }

        Assert.That(FilterEvaluator.Evaluate(new Filter(Attribute, op, default, DataType.Integer), attributes).Kind, Is.EqualTo(expected));
    }

    [TestCase("equals", EqualTo)]
    [TestCase("equal", EqualTo)]
    [TestCase("not_equals", NotEqualTo)]
    [TestCase("notEqual", NotEqualTo)]
    [TestCase("greater_than", GreaterThan)]
    [TestCase("greaterThan", GreaterThan)]
    [TestCase("greater_than_or_equal", GreaterThanOrEqual)]
    [TestCase("greaterThanOrEqual", GreaterThanOrEqual)]
    [TestCase("less_than", LessThan)]
    [TestCase("lessThan", LessThan)]
    [TestCase("less_than_or_equal", LessThanOrEqual)]
    [TestCase("lessThanOrEqual", LessThanOrEqual)]
    [TestCase("contains", FilterOperator.Contains)]
    [TestCase("starts_with", StartsWith)]
    [TestCase("startsWith", StartsWith)]
    [TestCase("ends_with", EndsWith)]
    [TestCase("endsWith", EndsWith)]
    [TestCase("in", In)]
    [TestCase("containsAny", In)]
    [TestCase("not_in", NotIn)]
    [TestCase("notContainsAny", NotIn)]
    [TestCase("containsAll", ContainsAll)]
    [TestCase("notContainsAll", NotContainsAll)]
    [TestCase("exists", Exists)]
    [TestCase("not_exists", NotExists)]
    public void Guide_and_Genesys_operator_names_mean_these_operators(string name, FilterOperator expected)
    {
        Assert.That(FilterOperatorNames.TryParse(name, out var op), Is.True);
        Assert.That(op, Is.EqualTo(expected));
    }

    [TestCase("greater")]
    [TestCase("Equals")]
    [TestCase("notIn")]
    public void Other_operator_names_are_unknown(string name) =>
        Assert.That(FilterOperatorNames.TryParse(name, out _), Is.False);

    private static FilterResult Evaluate(FilterOperator op, DataType type, AttributeValue value, AttributeValue actual) =>
        FilterEvaluator.Evaluate(new Filter(Attribute, op, value, type), new Dictionary<string, AttributeValue> { [Attribute] = actual });

    private static FilterResult Mismatch(DataType expected, Kind actual) => FilterResult.TypeMismatch(expected, actual);

    private static AttributeValue S(string value) => AttributeValue.FromString(value);

    private static AttributeValue I(long value) => AttributeValue.FromInteger(value);

    private static AttributeValue F(double value) => AttributeValue.FromFloat(value);

    private static AttributeValue B(bool value) => AttributeValue.FromBoolean(value);

    private static AttributeValue L(params string[] values) => AttributeValue.FromStringList(values);
}
