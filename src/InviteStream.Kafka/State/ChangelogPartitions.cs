using Confluent.Kafka;

namespace InviteStream.Kafka.State;

/// <summary>What a partition of a changelog restored to, and how many records it read.</summary>
internal readonly record struct RestoredPartition<T>(T State, int Records);

/// <summary>
/// Partitions of one compacted changelog restored together, by one reader on a thread of its own,
/// each into a state of its own: how the grant log and the statistics restore the partitions an
/// assignment brings. A reader per partition was a client each (its threads and connections), a
/// dozen starting at once, and one of them regularly took 0.7 s to find its partition's leader,
/// which the dispatch stage, restoring all its partitions before granting anything, waited for.
/// Each partition's state completes as soon as its own end is read.
/// </summary>
internal sealed class ChangelogPartitions<T> : IChangelogTarget
{
    private readonly Dictionary<int, PartitionRead> _partitions;
    private readonly Action<T, byte[], byte[]?, Headers?> _apply;

    private ChangelogPartitions(IEnumerable<int> partitions, Func<T> create, Action<T, byte[], byte[]?, Headers?> apply)
    {
        _partitions = partitions.Distinct().ToDictionary(p => p, _ => new PartitionRead(create()));
        _apply = apply;
    }

    /// <summary>
    /// Starts reading <paramref name="partitions"/> of <paramref name="topic"/>, handing each record
    /// to <paramref name="apply"/> with its partition's state (made by <paramref name="create"/>),
    /// in the partition's order, on the reader's applying thread. The read ends only once every
    /// partition reached its end or was abandoned, so each one's task completes.
    /// </summary>
    public static ChangelogPartitions<T> Read(
        ChangelogReader reader, string topic, IReadOnlyCollection<int> partitions, bool withHeaders, Func<T> create, Action<T, byte[], byte[]?, Headers?> apply)
    {
        var read = new ChangelogPartitions<T>(partitions, create, apply);
        reader.StartReadingToEnd(topic, read._partitions.Keys, read, withHeaders, read.Failed);
        return read;
    }

    /// <summary>
    /// Completes once all of <paramref name="partition"/> is read; cancelled when
    /// <paramref name="abandon"/> is, and the partition is then no longer read.
    /// </summary>
    public Task<RestoredPartition<T>> Of(int partition, CancellationToken abandon)
    {
        var read = _partitions[partition];
        abandon.Register(() =>
        {
            read.Abandoned = true;
            read.Done.TrySetCanceled(abandon);
        });
        return read.Done.Task;
    }

    void IChangelogTarget.Starting(int partition, long records)
    {
    }

    void IChangelogTarget.Apply(int partition, byte[] key, byte[]? value, Headers? headers)
    {
        var read = _partitions[partition];
        _apply(read.State, key, value, headers);
        read.Records++;
    }

    void IChangelogTarget.ReachedEnd(int partition)
    {
        var read = _partitions[partition];
        read.Done.TrySetResult(new RestoredPartition<T>(read.State, read.Records));
    }

    bool IChangelogTarget.Wants(int partition) => !_partitions[partition].Abandoned;

    // Every partition not restored yet fails with the read (those done keep their state).
    private void Failed(Exception exception)
    {
        foreach (var read in _partitions.Values)
        {
            read.Done.TrySetException(exception);
        }
    }

    private sealed class PartitionRead(T state)
    {
        private bool _abandoned;

        public T State { get; } = state;

        public int Records { get; set; }

        public TaskCompletionSource<RestoredPartition<T>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // Set by the partition's stopping thread, read by the reader's.
        public bool Abandoned
        {
            get => Volatile.Read(ref _abandoned);
            set => Volatile.Write(ref _abandoned, value);
        }
    }
}
