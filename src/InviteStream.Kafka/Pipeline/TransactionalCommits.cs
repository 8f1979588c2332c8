using Confluent.Kafka;
using InviteStream.Kafka.Publishing;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// Exactly-once between topics: every <see cref="KafkaOptions.TransactionCommitInterval"/>, the
/// offsets of every owned partition's done events go into the publisher's open transaction (one
/// offset set per consumer group) and the transaction is committed with the records those events produced.
/// </summary>
internal sealed class TransactionalCommits(RecordPublisher publisher, IOptions<KafkaOptions> options, TimeProvider time) : ICommitPolicy
{
    private readonly Dictionary<TopicPartition, long> _committed = [];
    private long _lastCommittedAt = time.GetTimestamp();

    public bool IsTransactional => true;

    public CommitResult Tick(IReadOnlyCollection<OwnedPartition> owned, CancellationToken cancellationToken)
    {
        if (time.GetElapsedTime(_lastCommittedAt) < options.Value.TransactionCommitInterval)
        {
            return CommitResult.Nothing;
        }

        _lastCommittedAt = time.GetTimestamp();
        return Commit(owned, cancellationToken);
    }

    // The transaction holds records of every owned partition: leaving ones are committed with all the others.
    public CommitResult CommitLeaving(IReadOnlyCollection<OwnedPartition> leaving, IReadOnlyCollection<OwnedPartition> owned) =>
        Commit(owned, CancellationToken.None);

    public void AbortOpen() => publisher.AbortTransaction();

    public void Forget(OwnedPartition partition) => _committed.Remove(partition.Partition);

    // The offsets of events whose records were all produced into this transaction (or an earlier one), and nothing past them.
    private CommitResult Commit(IReadOnlyCollection<OwnedPartition> owned, CancellationToken cancellationToken)
    {
        var moved = owned
            .Select(p => (Owned: p, Offset: p.Offsets.Committable))
            .Where(p => p.Offset > _committed.GetValueOrDefault(p.Owned.Partition, -1))
            .ToList();
        var offsets = moved
            .GroupBy(p => p.Owned.Consumer)
            .Select(g => (g.Key.ConsumerGroupMetadata, g.Select(p => new TopicPartitionOffset(p.Owned.Partition, p.Offset)).ToList()))
            .ToList();
        if (!publisher.CommitTransaction(offsets, cancellationToken))
        {
            return CommitResult.Abort;
        }

        foreach (var (partition, offset) in moved)
        {
            _committed[partition.Partition] = offset;
        }

        return new CommitResult(false, [.. moved.Select(p => new TopicPartitionOffset(p.Owned.Partition, p.Offset))]);
    }
}
