using System.Globalization;

namespace InviteStream.Core.Attributes;

/// <summary>
/// One typed attribute value, as it arrived on the wire. Kept as a struct so evaluating filters
/// against an event allocates nothing.
/// </summary>
public readonly struct AttributeValue : IEquatable<AttributeValue>
{
    private readonly long _integer;
    private readonly double _float;
    private readonly object? _reference;

    private AttributeValue(AttributeKind kind, long integer, double @float, object? reference)
    {
        Kind = kind;
        _integer = integer;
        _float = @float;
        _reference = reference;
    }

    public AttributeKind Kind { get; }

    public static AttributeValue FromString(string value) =>
        new(AttributeKind.String, 0, 0, value ?? throw new ArgumentNullException(nameof(value)));

    public static AttributeValue FromInteger(long value) => new(AttributeKind.Integer, value, 0, null);

    public static AttributeValue FromFloat(double value) => new(AttributeKind.Float, 0, value, null);

    public static AttributeValue FromBoolean(bool value) => new(AttributeKind.Boolean, value ? 1 : 0, 0, null);

    public static AttributeValue FromStringList(IReadOnlyList<string> values) =>
        new(AttributeKind.StringList, 0, 0, values ?? throw new ArgumentNullException(nameof(values)));

    public string AsString => Kind == AttributeKind.String ? (string)_reference! : throw WrongKind(AttributeKind.String);

    public long AsInteger => Kind == AttributeKind.Integer ? _integer : throw WrongKind(AttributeKind.Integer);

    public bool AsBoolean => Kind == AttributeKind.Boolean ? _integer != 0 : throw WrongKind(AttributeKind.Boolean);

    public IReadOnlyList<string> AsStringList =>
        Kind == AttributeKind.StringList ? (IReadOnlyList<string>)_reference! : throw WrongKind(AttributeKind.StringList);

    /// <summary>Integers widen to floats; nothing else is numeric.</summary>
    public bool IsNumeric => Kind is AttributeKind.Integer or AttributeKind.Float;

    public double AsDouble => Kind switch
    {
        AttributeKind.Float => _float,
        AttributeKind.Integer => _integer,
        _ => throw WrongKind(AttributeKind.Float),
    };

    public bool Equals(AttributeValue other)
    {
        if (Kind != other.Kind)
        {
            return false;
        }

        return Kind switch
        {
            AttributeKind.String => string.Equals(AsString, other.AsString, StringComparison.Ordinal),
            AttributeKind.Integer or AttributeKind.Boolean => _integer == other._integer,
            AttributeKind.Float => _float.Equals(other._float),
            _ => AsStringList.SequenceEqual(other.AsStringList, StringComparer.Ordinal),
        };
    }

    public override bool Equals(object? obj) => obj is AttributeValue other && Equals(other);

    public override int GetHashCode() => Kind switch
    {
        AttributeKind.String => HashCode.Combine(Kind, AsString),
        AttributeKind.Float => HashCode.Combine(Kind, _float),
        AttributeKind.StringList => HashCode.Combine(Kind, AsStringList.Count),
        _ => HashCode.Combine(Kind, _integer),
    };

    public static bool operator ==(AttributeValue left, AttributeValue right) => left.Equals(right);

    public static bool operator !=(AttributeValue left, AttributeValue right) => !left.Equals(right);

    public override string ToString() => Kind switch
    {
        AttributeKind.String => AsString,
        AttributeKind.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        AttributeKind.Float => _float.ToString("R", CultureInfo.InvariantCulture),
        AttributeKind.Boolean => AsBoolean ? "true" : "false",
        _ => "[" + string.Join(",", AsStringList) + "]",
    };

    private InvalidOperationException WrongKind(AttributeKind wanted) =>
        new($"Attribute value is {Kind}, not {wanted}.");
}
