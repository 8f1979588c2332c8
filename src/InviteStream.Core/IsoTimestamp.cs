using System.Globalization;
using System.Text;

namespace InviteStream.Core;

/// <summary>The one timestamp format on every wire InviteStream writes: UTC, milliseconds, <c>Z</c>.</summary>
public static class IsoTimestamp
{
    /// <summary>The length of every formatted timestamp: <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>.</summary>
    public const int Length = 24;

    // Written digit by digit: every record and request carries two or three of these (a grant
    // record hundreds), and the framework's custom-format parser showed in the trigger path's profile.
    public static string Format(DateTimeOffset time) => string.Create(Length, time, static (text, time) =>
    {
        Span<byte> utf8 = stackalloc byte[Length];
        Format(time, utf8);
        Ascii.ToUtf16(utf8, text, out _);
    });

    /// <summary>The same text as UTF-8 into the first <see cref="Length"/> bytes of <paramref name="utf8"/>, for writers of UTF-8 JSON.</summary>
    public static void Format(DateTimeOffset time, Span<byte> utf8)
    {
        var utc = time.UtcDateTime;
        var (year, month, day) = utc;
        utf8 = utf8[..Length];
        Digits(utf8[..4], year);
        utf8[4] = (byte)'-';
        Digits(utf8.Slice(5, 2), month);
        utf8[7] = (byte)'-';
        Digits(utf8.Slice(8, 2), day);
        utf8[10] = (byte)'T';
        Digits(utf8.Slice(11, 2), utc.Hour);
        utf8[13] = (byte)':';
        Digits(utf8.Slice(14, 2), utc.Minute);
        utf8[16] = (byte)':';
        Digits(utf8.Slice(17, 2), utc.Second);
        utf8[19] = (byte)'.';
        Digits(utf8.Slice(20, 3), utc.Millisecond);
        utf8[23] = (byte)'Z';
    }

    /// <summary>The instant as the wire keeps it: whole milliseconds, UTC.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    public static DateTimeOffset Parse(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static void Digits(Span<byte> into, int value)
    {
        for (var i = into.Length - 1; i >= 0; i--)
        {
            into[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }
}
