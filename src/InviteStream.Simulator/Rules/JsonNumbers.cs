using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace InviteStream.Simulator.Rules;

/// <summary>Compares two JSON numbers: integers exactly, anything involving a float as doubles.</summary>
internal static class JsonNumbers
{
    /// <summary>The sign of <c>left - right</c>, or null when either number is too large for a double.</summary>
    public static int? Compare(JsonElement left, JsonElement right)
    {
        if (StrictTypes.IsIntegerLiteral(left) && StrictTypes.IsIntegerLiteral(right))
        {
            return left.TryGetInt64(out var a) && right.TryGetInt64(out var b)
                ? a.CompareTo(b)
                : Integer(left).CompareTo(Integer(right));
        }

        return left.TryGetDouble(out var x) && right.TryGetDouble(out var y) ? x.CompareTo(y) : null;
    }

    private static BigInteger Integer(JsonElement number) => BigInteger.Parse(number.GetRawText(), CultureInfo.InvariantCulture);
}
