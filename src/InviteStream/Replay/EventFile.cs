using System.IO.Compression;
using InviteStream.Core.Events;
using InviteStream.Kafka.Serialization;

namespace InviteStream.Replay;

/// <summary>
/// Behavioral events as on the input topic, one JSON value per line (e.g. exported with
/// <c>kcat -C -e -f '%s\n'</c>), from a file, a gzipped file or standard input. Each line keeps its
/// place as its origin (the file's name, partition 0, the line number), so replays of the same file
/// give the same request ids.
/// </summary>
internal sealed class EventFile : IDisposable
{
    private readonly Stream _raw;
    private readonly Stream _stream;
    private readonly string _name;
    private readonly int _maxRecordBytes;
    private readonly DateTimeOffset _now;
    private long _line = -1;

    private EventFile(Stream raw, string name, bool gzipped, int maxRecordBytes, DateTimeOffset now)
    {
        _raw = raw;
        _name = name;
        _stream = gzipped ? new GZipStream(raw, CompressionMode.Decompress) : raw;
        _maxRecordBytes = maxRecordBytes;
        _now = now;
    }

    /// <summary>The input's size in bytes when it is known (a file): progress is read off the compressed bytes consumed.</summary>
    public long? Length => _raw.CanSeek ? _raw.Length : null;

    /// <summary>Bytes of the input consumed so far.</summary>
    public long Position => _raw.CanSeek ? _raw.Position : 0;

    /// <param name="maxRecordBytes">Lines longer than this get the live reader's <c>record_too_large</c> (<c>Pipeline:MaxRecordBytes</c>).</param>
    /// <param name="now">Events more than a day ahead of this get <c>occurred_in_future</c>, as live.</param>
    public static EventFile Open(string path, int maxRecordBytes, DateTimeOffset now) => path == "-"
        ? new EventFile(Console.OpenStandardInput(), "stdin", gzipped: false, maxRecordBytes, now)
        : new EventFile(File.OpenRead(path), Path.GetFileName(path), path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase), maxRecordBytes, now);

    /// <summary>Every non-blank line: the event, or the dead-letter reason it would have had live.</summary>
    public IEnumerable<(EventOrigin Origin, EventReadResult Read)> Records()
    {
        // Bytes, not strings: a line that is not UTF-8 gets the live reader's reason, not replacement characters.
        var buffer = new byte[1 << 16];
        var filled = 0;
        while (true)
        {
            var read = _stream.Read(buffer, filled, buffer.Length - filled);
            filled += read;
            var start = 0;
            while (true)
            {
                var newline = buffer.AsSpan(start, filled - start).IndexOf((byte)'\n');
                if (newline < 0 && read > 0)
                {
                    break;
                }

                var end = newline < 0 ? filled : start + newline;
                if (newline < 0 && end == start)
                {
                    break;
                }

                _line++;
                var line = buffer.AsMemory(start, end - start);
                start = newline < 0 ? filled : end + 1;
                if (!IsBlank(line.Span))
                {
                    yield return (new EventOrigin(_name, 0, _line), Read(line.Span));
                }
            }

            if (read == 0)
            {
                yield break;
            }

            // Keep the unfinished line; grow when one line outgrows the buffer.
            filled -= start;
            Buffer.BlockCopy(buffer, start, buffer, 0, filled);
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }
        }
    }

    // The checks the live reader makes besides the format (EventChecks), on the line's bytes.
    private EventReadResult Read(ReadOnlySpan<byte> line)
    {
        if (line.Length > _maxRecordBytes)
        {
            return EventReadResult.Failed(EventChecks.TooLarge);
        }

        return EventChecks.Checked(BehavioralEventJson.Read(line), _now);
    }

    private static bool IsBlank(ReadOnlySpan<byte> line) => line.Trim(" \t\r"u8).IsEmpty;

    public void Dispose()
    {
        _stream.Dispose();
        _raw.Dispose();
    }
}
