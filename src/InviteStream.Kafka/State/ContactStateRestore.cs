using System.Text;
using Confluent.Kafka;
using InviteStream.Core.State;

namespace InviteStream.Kafka.State;

/// <summary>
/// The contact state of the partitions one assignment brought, read from the changelog in the
/// background: each partition's store completes on its own as soon as its end is read.
/// </summary>
internal sealed class ContactStateRestore : IChangelogTarget
{
    // A store made for more contacts than this grows into its size instead: a changelog's offsets
    // span every write since its last compaction, which may be far more than its contacts.
    private const int MostContactsExpected = 1 << 17;

    private readonly Dictionary<int, PartitionRestore> _partitions;
    private readonly TimeSpan _retention;
    private readonly TimeProvider _time;
    private readonly Action<int, int, ContactStateStore, TimeSpan> _restored;
    private readonly long _started;

    // Records come in runs of one partition: the last one's entry saves a lookup per record.
    private PartitionRestore? _last;

    /// <param name="restored">Told of each partition restored: its number, records read, store, time taken.</param>
    public ContactStateRestore(IEnumerable<int> partitions, TimeSpan retention, TimeProvider time, Action<int, int, ContactStateStore, TimeSpan> restored)
    {
        _partitions = partitions.Distinct().ToDictionary(p => p, p => new PartitionRestore(p));
        _retention = retention;
        _time = time;
        _restored = restored;
        _started = time.GetTimestamp();
    }

    public IReadOnlyCollection<int> Partitions => _partitions.Keys;

    /// <summary>
    /// Completes with <paramref name="partition"/>'s store once all of it is read; cancelled when
    /// <paramref name="abandon"/> is, and the partition is then no longer read.
    /// </summary>
    public Task<ContactStateStore> Of(int partition, CancellationToken abandon)
    {
        var restore = _partitions[partition];
        abandon.Register(() =>
        {
            restore.Abandoned = true;
            restore.Done.TrySetCanceled(abandon);
        });
        return restore.Done.Task;
    }

    /// <summary>The read failed: every partition not yet restored fails with it.</summary>
    public void Failed(Exception exception)
    {
        foreach (var restore in _partitions.Values)
        {
            restore.Done.TrySetException(exception);
        }
    }

    // On the reader's thread, before any record of the partition is handed to the applying thread.
    void IChangelogTarget.Starting(int partition, long records) =>
        _partitions[partition].Store = new ContactStateStore(_retention, (int)Math.Min(records, MostContactsExpected));

    void IChangelogTarget.Apply(int partition, byte[] key, byte[]? value, Headers? headers)
    {
        var restore = _last is { } last && last.Number == partition ? last : _last = _partitions[partition];
        ContactSnapshotJson.Restore(restore.Store!, Encoding.UTF8.GetString(key), value);
        restore.Records++;
    }

    void IChangelogTarget.ReachedEnd(int partition)
    {
        var restore = _partitions[partition];
        var store = restore.Store ??= new ContactStateStore(_retention);

        // Snapshots whose invites all left every cooldown are not worth keeping.
        store.EvictExpired(_time.GetUtcNow());
        _restored(partition, restore.Records, store, _time.GetElapsedTime(_started));
        restore.Done.TrySetResult(store);
    }

    bool IChangelogTarget.Wants(int partition) => !_partitions[partition].Abandoned;

    private sealed class PartitionRestore(int number)
    {
        public int Number { get; } = number;

        public ContactStateStore? Store { get; set; }

        public TaskCompletionSource<ContactStateStore> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Records { get; set; }

        // Set by the partition's stopping thread, read by the reader's.
        public bool Abandoned
        {
            get => Volatile.Read(ref _abandoned);
            set => Volatile.Write(ref _abandoned, value);
        }

        private bool _abandoned;
    }
}
