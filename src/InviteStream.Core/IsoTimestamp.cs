using System.Globalization;

namespace InviteStream.Core;

/// <summary>The one timestamp format on every wire InviteStream writes: UTC, milliseconds, <c>Z</c>.</summary>
public static class IsoTimestamp
{
    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
