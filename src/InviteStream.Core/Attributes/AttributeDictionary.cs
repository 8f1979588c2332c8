using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace InviteStream.Core.Attributes;

/// <summary>
/// An event's few attributes as one array, looked up by a linear scan: two objects per event instead
/// of a dictionary's three, and no hashing for the handful of names a filter asks for. Events wait
/// in a replay's lateness buffer by the tens of thousands, so fewer objects is less garbage
/// collection; larger attribute sets get a dictionary (<see cref="Of"/>).
/// </summary>
public sealed class AttributeDictionary : IReadOnlyDictionary<string, AttributeValue>
{
    /// <summary>Above this many attributes a dictionary's hashing beats the scan.</summary>
    public const int MaxScanned = 16;

    private readonly KeyValuePair<string, AttributeValue>[] _entries;

    private AttributeDictionary(KeyValuePair<string, AttributeValue>[] entries) => _entries = entries;

    public int Count => _entries.Length;

    public IEnumerable<string> Keys => _entries.Select(e => e.Key);

    public IEnumerable<AttributeValue> Values => _entries.Select(e => e.Value);

    public AttributeValue this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    /// <summary>The attributes as given, each name once (the last value of a repeated name wins, as in a JSON object).</summary>
    public static IReadOnlyDictionary<string, AttributeValue> Of(IReadOnlyList<KeyValuePair<string, AttributeValue>> attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        if (attributes.Count > MaxScanned)
        {
            var dictionary = new Dictionary<string, AttributeValue>(attributes.Count, StringComparer.Ordinal);
            foreach (var (name, value) in attributes)
            {
                dictionary[name] = value;
            }

            return dictionary;
        }

        var entries = new KeyValuePair<string, AttributeValue>[attributes.Count];
        var count = 0;

        // By index: a foreach over the interface boxes the list's enumerator, once per event read.
        for (var i = 0; i < attributes.Count; i++)
        {
            var attribute = attributes[i];
            var at = IndexOf(entries.AsSpan(0, count), attribute.Key);
            entries[at < 0 ? count++ : at] = attribute;
        }

        return new AttributeDictionary(count == entries.Length ? entries : entries[..count]);
    }

    public bool ContainsKey(string key) => IndexOf(_entries, key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out AttributeValue value)
    {
        var at = IndexOf(_entries, key);
        value = at >= 0 ? _entries[at].Value : default;
        return at >= 0;
    }

    public IEnumerator<KeyValuePair<string, AttributeValue>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, AttributeValue>>)_entries).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static int IndexOf(ReadOnlySpan<KeyValuePair<string, AttributeValue>> entries, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        for (var i = 0; i < entries.Length; i++)
        {
            // Names read from JSON are shared strings, so the same reference is the usual match.
            if (ReferenceEquals(entries[i].Key, key) || string.Equals(entries[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
