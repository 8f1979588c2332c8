using Confluent.Kafka;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// When and how the loop's progress becomes committed: offsets stored for the consumer's
/// auto-commit (<see cref="StoredOffsetCommits"/>), or sent into the publisher's open transaction
/// with the records the events produced (<see cref="TransactionalCommits"/>). Called on the poll thread.
/// </summary>
internal interface ICommitPolicy
{
    /// <summary>Whether what is produced becomes visible only with the commit (so a lost partition drops it).</summary>
    bool IsTransactional { get; }

    /// <summary>On every turn of the poll loop.</summary>
    CommitResult Tick(IReadOnlyCollection<OwnedPartition> owned, CancellationToken cancellationToken);

    /// <summary>The final commit of partitions leaving (<paramref name="leaving"/> is part of <paramref name="owned"/>).</summary>
    CommitResult CommitLeaving(IReadOnlyCollection<OwnedPartition> leaving, IReadOnlyCollection<OwnedPartition> owned);

    /// <summary>Drops what was produced since the last commit (its partitions were lost).</summary>
    void AbortOpen();

    /// <summary>The partition left this instance.</summary>
    void Forget(OwnedPartition partition);
}

/// <summary>What a commit did: the offsets it committed, or that a transaction had to be aborted (the loop rewinds).</summary>
internal readonly record struct CommitResult(bool Aborted, IReadOnlyList<TopicPartitionOffset> Committed)
{
    public static CommitResult Nothing { get; } = new(false, []);

    public static CommitResult Abort { get; } = new(true, []);
}
