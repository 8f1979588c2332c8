using InviteStream.Core.Attributes;

namespace InviteStream.Core.Filters;

/// <summary>Why one filter did or did not match; for a type mismatch, what was expected and what came.</summary>
public readonly record struct FilterResult(FilterResultKind Kind, AttributeDataType Expected, AttributeKind Actual)
{
    public static readonly FilterResult Matched = new(FilterResultKind.Matched, default, default);
    public static readonly FilterResult NotMatched = new(FilterResultKind.NotMatched, default, default);
    public static readonly FilterResult Missing = new(FilterResultKind.Missing, default, default);

    public bool IsMatch => Kind == FilterResultKind.Matched;

    public static FilterResult TypeMismatch(AttributeDataType expected, AttributeKind actual) =>
        new(FilterResultKind.TypeMismatch, expected, actual);

    /// <summary>The wire form used in outcome reasons and metric labels.</summary>
    public override string ToString() => Kind switch
    {
        FilterResultKind.Matched => "matched",
        FilterResultKind.NotMatched => "not_matched",
        FilterResultKind.Missing => "missing",
        _ => $"type_mismatch(expected={DataTypeNames.ToWire(Expected)},actual={DataTypeNames.ToWire(Actual)})",
    };
}
