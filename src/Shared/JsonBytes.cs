using System.Buffers;
using System.Text.Json;

namespace InviteStream.Serialization;

/// <summary>
/// Writes a JSON value into a new byte array through one writer and buffer kept per thread. Every
/// record, trigger and request body the worker sends is written here: a writer over a fresh stream
/// allocated (and zeroed) a growth buffer of its own for each of them, a visible share of a mix
/// run's processor time in a profile.
/// </summary>
internal static class JsonBytes
{
    // A buffer grown past this by an unusually large value is not kept for the thread.
    private const int KeptCapacity = 64 * 1024;

    [ThreadStatic]
    private static Scratch? _scratch;

    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        return Write(write, static (writer, write) => write(writer));
    }

    public static byte[] Write<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        ArgumentNullException.ThrowIfNull(write);

        // Taken, not borrowed: a value written from inside another's write gets a scratch of its own.
        var scratch = _scratch ?? new Scratch();
        _scratch = null;
        try
        {
            scratch.Writer.Reset(scratch.Buffer);
            write(scratch.Writer, state);
            scratch.Writer.Flush();
            return scratch.Buffer.WrittenSpan.ToArray();
        }
        finally
        {
            scratch.Buffer.ResetWrittenCount();
            if (scratch.Buffer.Capacity <= KeptCapacity)
            {
                _scratch = scratch;
            }
        }
    }

    private sealed class Scratch
    {
        public ArrayBufferWriter<byte> Buffer { get; } = new(1024);

        public Utf8JsonWriter Writer { get; }

        public Scratch() => Writer = new Utf8JsonWriter(Buffer);
    }
}
