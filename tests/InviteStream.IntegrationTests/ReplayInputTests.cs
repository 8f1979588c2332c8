using System.Text;
using InviteStream.Replay;

namespace InviteStream.IntegrationTests;

/// <summary>The replay's input: lines as the live reader would see them, and reading ahead on a thread of its own.</summary>
[TestFixture]
public sealed class ReplayInputTests
{
    [Test]
    public void Every_line_is_read_whatever_its_ending_length_or_bytes()
    {
        var t0 = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
        var longChurn = new string('9', 100_000); // one line longer than the read buffer
        var content = new List<byte[]>
        {
            Encoding.UTF8.GetBytes(TestEvents.Event("a", "ext:a", t0, 0.9) + "\r\n"),
            "\n   \n"u8.ToArray(),
            Encoding.UTF8.GetBytes(TestEvents.Event("b", "ext:b", t0, 0.9).Replace("0.9", $"0.{longChurn}", StringComparison.Ordinal) + "\n"),
            new byte[] { 0x7b, 0xff, 0xfe, 0x7d, 0x0a }, // not UTF-8
            Encoding.UTF8.GetBytes(TestEvents.Event("late", "ext:d", t0.AddDays(2), 0.9) + "\n"), // more than a day ahead of now
            Encoding.UTF8.GetBytes(TestEvents.Event("big", "ext:e", t0, 0.9).Replace("\"en-US\"", $"\"{new string('x', 160_000)}\"", StringComparison.Ordinal) + "\n"),
            Encoding.UTF8.GetBytes(TestEvents.Event("c", "ext:c", t0, 0.9)), // no newline at the end
        };
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, [.. content.SelectMany(b => b)]);
            using var file = EventFile.Open(path, maxRecordBytes: 150_000, now: t0);
            var records = file.Records().ToList();

            Assert.That(records.Select(r => r.Read.Event?.EventId ?? r.Read.Error), Is.EqualTo(new[] { "a", "b", "invalid_utf8", "occurred_in_future", "record_too_large", "c" }));
            Assert.That(records.Select(r => r.Origin.Offset), Is.EqualTo(new long[] { 0, 3, 4, 5, 6, 7 }), "line numbers, blank lines counted");
            Assert.That(file.Position, Is.EqualTo(file.Length));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Reading_ahead_keeps_the_order_and_hands_on_a_failure_of_the_input()
    {
        Assert.That(ReadAhead.Of(Enumerable.Range(0, 10_000), batchSize: 7), Is.EqualTo(Enumerable.Range(0, 10_000)));

        static IEnumerable<int> Failing()
        {
            yield return 1;
            throw new IOException("disk gone");
        }

        var ex = Assert.Throws<InvalidOperationException>(() => ReadAhead.Of(Failing()).ToList());
        Assert.That(ex!.InnerException, Is.TypeOf<IOException>());
    }

    [Test]
    public async Task A_consumer_that_stops_early_stops_the_reader()
    {
        var produced = 0;
        IEnumerable<int> Endless()
        {
            while (true)
            {
                yield return Interlocked.Increment(ref produced);
            }
        }

        Assert.That(ReadAhead.Of(Endless(), batchSize: 10, batchesAhead: 2).Take(5), Is.EqualTo(new[] { 1, 2, 3, 4, 5 }));
        var after = Volatile.Read(ref produced);
        await Task.Delay(100);
        Assert.That(Volatile.Read(ref produced), Is.EqualTo(after), "the reader thread has ended");
    }
}
