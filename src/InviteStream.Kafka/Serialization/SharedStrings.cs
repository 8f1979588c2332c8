using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace InviteStream.Kafka.Serialization;

/// <summary>
/// Strings read often, each kept once: the first few thousand distinct values up to a length are
/// shared, the rest are read as they come.
/// </summary>
internal sealed class SharedStrings
{
    private readonly ConcurrentDictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly int _maxEntries;
    private readonly int _maxBytes;
    private int _count; // ConcurrentDictionary.Count takes every lock.

    public SharedStrings(int maxEntries, int maxBytes)
    {
        _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
        _maxEntries = maxEntries;
        _maxBytes = maxBytes;
    }

    public string Of(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.ValueSpan.Length > _maxBytes)
        {
            return reader.GetString()!;
        }

        Span<char> chars = stackalloc char[reader.ValueSpan.Length];
        var length = Encoding.UTF8.GetChars(reader.ValueSpan, chars);
        if (_lookup.TryGetValue(chars[..length], out var shared))
        {
            return shared;
        }

        var text = new string(chars[..length]);
        if (Volatile.Read(ref _count) >= _maxEntries)
        {
            return text;
        }

        if (_strings.TryAdd(text, text))
        {
            Interlocked.Increment(ref _count);
            return text;
        }

        return _strings.GetValueOrDefault(text, text);
    }
}
