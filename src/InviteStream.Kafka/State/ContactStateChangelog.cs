using Confluent.Kafka;
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
    IOptions<KafkaOptions> options, RecordPublisher publisher, TimeProvider time, ILogger<ContactStateChangelog> logger)
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);
    private readonly KafkaOptions _options = options.Value;

    public string Topic => _options.EffectiveChangelogTopic;

    public Task WriteAsync(int partition, ContactSnapshot snapshot, CancellationToken cancellationToken) =>
        publisher.PublishToPartitionAsync(
            new TopicPartition(Topic, partition),
            snapshot.ContactId,
            snapshot.Invites.Count == 0 ? null : ContactSnapshotJson.Write(snapshot),
            cancellationToken);

    /// <summary>Reads changelog partition <paramref name="partition"/> to its end into a new store.</summary>
    public ContactStateStore Restore(int partition, TimeSpan retention, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var store = new ContactStateStore(retention);
        var config = KafkaClientConfig.Restore(_options);
        using var consumer = new ConsumerBuilder<string?, byte[]?>(config).Build();
        var topicPartition = new TopicPartition(Topic, partition);
        var end = consumer.QueryWatermarkOffsets(topicPartition, ReadTimeout).High.Value;
        var records = 0;
        if (end > 0)
        {
            consumer.Assign(new TopicPartitionOffset(topicPartition, Offset.Beginning));
            while (!cancellationToken.IsCancellationRequested)
            {
                var record = consumer.Consume(ReadTimeout)
                    ?? throw new KafkaException(new Error(ErrorCode.Local_TimedOut, $"restoring {topicPartition} stalled before offset {end}"));
                if (record.IsPartitionEOF)
                {
                    break;
                }

                if (record.Message.Key is { } contactId)
                {
                    store.Restore(ContactSnapshotJson.Read(contactId, record.Message.Value));
                    records++;
                }
            }
        }

        // Snapshots whose invites all left every cooldown are not worth keeping.
        store.EvictExpired(time.GetUtcNow());
        var elapsedMs = time.GetElapsedTime(started).TotalMilliseconds;
        LogRestored(topicPartition.Topic, partition, records, store.Count, elapsedMs);
        return store;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Restored {Topic}[{Partition}]: {Records} records, {Contacts} contacts in {ElapsedMs:F0} ms")]
    private partial void LogRestored(string topic, int partition, int records, int contacts, double elapsedMs);
}
