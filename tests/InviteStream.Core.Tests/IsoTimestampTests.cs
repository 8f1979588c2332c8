using System.Globalization;
using System.Text;
using CsCheck;
using InviteStream.Core;

namespace InviteStream.Core.Tests;

/// <summary>The wire's timestamps, as text and as UTF-8, read as the framework's own custom format writes them, for any instant and offset.</summary>
[TestFixture]
public sealed class IsoTimestampTests
{
    [Test]
    public void Any_instant_is_written_as_the_framework_formats_it()
    {
        Gen.Select(Gen.Long[DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks], Gen.Int[-14 * 60, 14 * 60])
            .Sample((ticks, offsetMinutes) =>
            {
                var utc = new DateTimeOffset(ticks, TimeSpan.Zero);
                var offset = TimeSpan.FromMinutes(offsetMinutes);
                // The same instant seen at another offset, where that offset's clock stays in DateTime's range.
                var local = ticks + offset.Ticks is >= 0 and var localTicks && localTicks <= DateTime.MaxValue.Ticks ? utc.ToOffset(offset) : utc;
                var expected = utc.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
                var utf8 = new byte[IsoTimestamp.Length];
                IsoTimestamp.Format(local, utf8);
                return IsoTimestamp.Format(local) == expected && Encoding.UTF8.GetString(utf8) == expected && expected.Length == IsoTimestamp.Length;
            });
    }

    [TestCase("0001-01-01T00:00:00.000Z")]
    [TestCase("9999-12-31T23:59:59.999Z")]
    [TestCase("2026-12-04T09:05:07.040Z")]
    public void Edges_read_back_as_written(string text) =>
        Assert.That(IsoTimestamp.Format(IsoTimestamp.Parse(text)), Is.EqualTo(text));

    [Test]
    public void Milliseconds_are_cut_not_rounded() =>
        Assert.That(IsoTimestamp.Format(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(9_999)), Is.EqualTo("2026-01-01T00:00:00.000Z"));
}
