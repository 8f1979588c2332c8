using System.Globalization;
using BenchmarkDotNet.Attributes;
using InviteStream.Core.State;

namespace InviteStream.Benchmarks;

/// <summary>Contact state lookups and updates in a store of 100 000 contacts.</summary>
[MemoryDiagnoser]
public class StateStoreBenchmarks
{
    private const int Contacts = 100_000;
    private static readonly DateTimeOffset At = new(2026, 5, 21, 14, 32, 11, TimeSpan.Zero);
    private ContactStateStore _store = null!;
    private string[] _keys = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _store = new ContactStateStore(TimeSpan.FromDays(1));
        _keys = [.. Enumerable.Range(0, Contacts).Select(i => "ext:customer_" + i.ToString("D8", CultureInfo.InvariantCulture))];
        foreach (var key in _keys)
        {
            _store.ApplyInvite(key, "guide", At);
        }
    }

    [Benchmark(Description = "lookup of a known contact")]
    public int Lookup() => _store.InvitesOf(_keys[_next++ % Contacts]).Count;

    [Benchmark(Description = "apply a delivered invite")]
    public int Apply() => _store.ApplyInvite(_keys[_next++ % Contacts], "guide", At.AddSeconds(_next)).Invites.Count;
}
