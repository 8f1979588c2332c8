using System.Text;
using Confluent.Kafka;
using InviteStream.Core.Invites;
using InviteStream.Core.State;
using InviteStream.Kafka.Publishing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.State;

/// <summary>
/// The compacted changelog of contact state (<c>&lt;group&gt;.contact-state</c>, key contactId),
/// co-partitioned with the input: the state of input partition p lives in changelog partition p,
/// written there explicitly rather than by key hash, because the input's producers may hash keys
/// differently from this client.
/// </summary>
internal sealed partial class ContactStateChangelog(
    IOptions<KafkaOptions> options, RecordPublisher publisher, ChangelogReader reader, TimeProvider time, ILogger<ContactStateChangelog> logger)
{
    private readonly KafkaOptions _options = options.Value;

    public string Topic => _options.EffectiveChangelogTopic;

    /// <summary>The log of partition <paramref name="partition"/>'s contact state.</summary>
    public IContactStateLog For(int partition) => new PartitionLog(this, new TopicPartition(Topic, partition));

    /// <summary>
    /// Starts reading changelog partitions <paramref name="partitions"/> into new stores in the
    /// background; each partition's store is ready once its end is read.
    /// </summary>
    public ContactStateRestore Restore(IReadOnlyCollection<int> partitions, TimeSpan retention)
    {
        var restore = new ContactStateRestore(partitions, retention, time, (partition, records, store, elapsed) =>
            LogRestored(Topic, partition, records, store.Count, elapsed.TotalMilliseconds));

        // One reader for all of them: two (each with half the partitions) restored slower on two cores.
        reader.StartReadingToEnd(Topic, restore.Partitions, restore, withHeaders: false, restore.Failed);
        return restore;
    }

    private Task WriteAsync(TopicPartition partition, ContactSnapshot snapshot, CancellationToken cancellationToken) =>
        publisher.ProduceAsync(
            partition,
            new Message<byte[]?, byte[]?>
            {
                Key = Encoding.UTF8.GetBytes(snapshot.ContactId),
                // A tombstone: compaction forgets the contact.
                Value = snapshot.IsEmpty ? null : ContactSnapshotJson.Write(snapshot),
            },
            cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Restored {Topic}[{Partition}]: {Records} records, {Contacts} contacts in {ElapsedMs:F0} ms")]
    private partial void LogRestored(string topic, int partition, int records, int contacts, double elapsedMs);

    private sealed class PartitionLog(ContactStateChangelog changelog, TopicPartition partition) : IContactStateLog
    {
        public Task AppendAsync(ContactSnapshot snapshot, CancellationToken cancellationToken) =>
            changelog.WriteAsync(partition, snapshot, cancellationToken);
    }
}
