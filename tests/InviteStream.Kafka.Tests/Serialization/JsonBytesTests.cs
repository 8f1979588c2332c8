using System.Text;
using System.Text.Json;
using InviteStream.Serialization;

namespace InviteStream.Kafka.Tests.Serialization;

/// <summary>
/// The writer and buffer kept per thread never leak one value into the next: every value comes out
/// byte for byte as a fresh <see cref="Utf8JsonWriter"/> over its own stream writes it, after a
/// failed write, a value written inside another, a value too large to keep the buffer for, and
/// from many threads at once.
/// </summary>
[TestFixture]
public sealed class JsonBytesTests
{
    [Test]
    public void Values_of_every_size_come_out_as_a_fresh_writer_writes_them()
    {
        foreach (var length in new[] { 0, 1, 100, 1_023, 1_024, 5_000, 70_000, 3, 200_000, 10 })
        {
            Assert.That(Encoding.UTF8.GetString(JsonBytes.Write(w => Sample(w, length))), Is.EqualTo(Fresh(w => Sample(w, length))), $"a value of {length} characters");
        }
    }

    [Test]
    public void A_write_that_failed_half_way_leaves_nothing_behind_for_the_next()
    {
        Assert.Throws<InvalidOperationException>(() => JsonBytes.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("half", "written");
            throw new InvalidOperationException("the caller failed");
        }));
        Assert.Throws<InvalidOperationException>(() => JsonBytes.Write(w => w.WriteEndObject()), "the writer's own validation still applies");

        Assert.That(Encoding.UTF8.GetString(JsonBytes.Write(w => Sample(w, 5))), Is.EqualTo(Fresh(w => Sample(w, 5))));
    }

    [Test]
    public void A_value_written_while_another_is_being_written_leaves_both_whole()
    {
        string? inner = null;
        var outer = JsonBytes.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("before", "outer");
            inner = Encoding.UTF8.GetString(JsonBytes.Write(v => Sample(v, 3)));
            w.WriteString("after", "outer");
            w.WriteEndObject();
        });

        Assert.Multiple(() =>
        {
            Assert.That(inner, Is.EqualTo(Fresh(w => Sample(w, 3))));
            Assert.That(Encoding.UTF8.GetString(outer), Is.EqualTo("""{"before":"outer","after":"outer"}"""));
        });
    }

    [Test]
    public async Task Threads_writing_at_once_each_get_their_own_values()
    {
        var failures = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(thread => Task.Run(() =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                var length = (thread * 37 + i) % 300;
                if (Encoding.UTF8.GetString(JsonBytes.Write(w => Sample(w, length))) != Fresh(w => Sample(w, length)))
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })));

        Assert.That(failures, Is.Zero);
    }

    private static void Sample(Utf8JsonWriter writer, int length)
    {
        writer.WriteStartObject();
        writer.WriteString("text", new string('x', length) + "é\"<");
        writer.WriteNumber("length", length);
        writer.WriteStartArray("items");
        for (var i = 0; i < length % 7; i++)
        {
            writer.WriteBooleanValue(i % 2 == 0);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static string Fresh(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
