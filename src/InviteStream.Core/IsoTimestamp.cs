using System.Globalization;

namespace InviteStream.Core;

/// <summary>The one timestamp format on every wire InviteStream writes: UTC, milliseconds, <c>Z</c>.</summary>
public static class IsoTimestamp
{
    /// <summary>The length of every formatted timestamp: <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>.</summary>
    public const int Length = 24;

    // Written digit by digit: every record and request carries two or three of these, and the
    // framework's custom-format parser showed in the trigger path's profile.
    public static string Format(DateTimeOffset time) => string.Create(Length, time.UtcDateTime, static (text, utc) =>
    {
        var (year, month, day) = utc;
        Digits(text[..4], year);
        text[4] = '-';
        Digits(text.Slice(5, 2), month);
        text[7] = '-';
        Digits(text.Slice(8, 2), day);
        text[10] = 'T';
        Digits(text.Slice(11, 2), utc.Hour);
        text[13] = ':';
        Digits(text.Slice(14, 2), utc.Minute);
        text[16] = ':';
        Digits(text.Slice(17, 2), utc.Second);
        text[19] = '.';
        Digits(text.Slice(20, 3), utc.Millisecond);
        text[23] = 'Z';
    });

    /// <summary>The instant as the wire keeps it: whole milliseconds, UTC.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    public static DateTimeOffset Parse(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static void Digits(Span<char> into, int value)
    {
        for (var i = into.Length - 1; i >= 0; i--)
        {
            into[i] = (char)('0' + (value % 10));
            value /= 10;
        }
    }
}
