using System.Text;
using Confluent.Kafka;
using InviteStream.Kafka.Clients;
using InviteStream.Kafka.Pipeline;
using InviteStream.Kafka.Publishing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace InviteStream.Kafka.Tests.Pipeline;

/// <summary>The transactional commit policy against the embedded broker's transaction coordinator.</summary>
[TestFixture]
public sealed class TransactionalCommitsTests
{
    private const short TxnOffsetCommitApi = 28;
    private const int GroupAuthorizationFailed = 30;

    [Test]
    public async Task Nothing_is_committed_before_the_interval_and_then_the_transaction_commits_with_the_done_offsets()
    {
        using var context = Context.Start();
        var owned = context.Owned(completed: 5);
        await context.ProduceAsync();

        Assert.That(context.Commits.Tick([owned], CancellationToken.None).Aborted, Is.False);
        Assert.That(context.EndOffset(), Is.EqualTo(1), "the interval has not passed: the transaction is still open (no commit marker)");

        context.Time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.That(context.Commits.Tick([owned], CancellationToken.None).Aborted, Is.False);
        Assert.That(context.EndOffset(), Is.EqualTo(2), "the record and the transaction's commit marker");
    }

    [Test]
    public async Task A_transaction_the_broker_refuses_is_aborted_reported_and_the_next_one_commits()
    {
        using var context = Context.Start();
        var owned = context.Owned(completed: 3);
        await context.ProduceAsync();
        context.Time.Advance(TimeSpan.FromMilliseconds(100));

        TestBroker.Cluster.PushRequestErrors(TxnOffsetCommitApi, GroupAuthorizationFailed);
        Assert.That(context.Commits.Tick([owned], CancellationToken.None).Aborted, Is.True, "the caller must rewind to the committed offsets");

        await context.ProduceAsync();
        context.Time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.That(context.Commits.Tick([owned], CancellationToken.None).Aborted, Is.False, "a new transaction was opened after the abort");
    }

    private sealed class Context : IDisposable
    {
        private readonly IConsumer<byte[]?, byte[]?> _consumer;
        private readonly string _topic = TestBroker.Topic("txn", 1);
        private readonly RecordPublisher _publisher;

        private Context()
        {
            var options = Options.Create(new KafkaOptions
            {
                BootstrapServers = TestBroker.Cluster.BootstrapServers,
                GroupId = $"group-{Guid.NewGuid():N}",
                Transactional = true,
                TransactionalId = $"txn-{Guid.NewGuid():N}",
                TransactionCommitInterval = TimeSpan.FromMilliseconds(100),
            });
            _publisher = new RecordPublisher(KafkaClientConfig.Publisher(options.Value, PublisherRole.Contacts), TimeProvider.System, NullLogger<RecordPublisher>.Instance);
            _publisher.Start();
            _consumer = new ConsumerBuilder<byte[]?, byte[]?>(
                new ConsumerConfig { BootstrapServers = TestBroker.Cluster.BootstrapServers, GroupId = options.Value.GroupId }).Build();
            Commits = new TransactionalCommits(_publisher, options, Time);
        }

        public FakeTimeProvider Time { get; } = new();

        public TransactionalCommits Commits { get; }

        public static Context Start() => new();

        public OwnedPartition Owned(int completed)
        {
            var owned = new OwnedPartition(new TopicPartition(_topic, 0), _consumer, new NoSink());
            for (var offset = 0; offset < completed; offset++)
            {
                owned.Offsets.TrackCompleted(offset);
            }

            return owned;
        }

        // In a transaction a produce completes once the record is in it; flushed, it is on the broker too.
        public async Task ProduceAsync()
        {
            await _publisher.ProduceAsync(new TopicPartition(_topic, 0), new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes("outcome") }, CancellationToken.None);
            _publisher.Flush(TimeSpan.FromSeconds(10));
        }

        // The embedded broker shows open transactions' records to read_committed readers, but a
        // commit (or abort) marker takes an offset of its own: the end offset tells.
        public long EndOffset() => _consumer.QueryWatermarkOffsets(new TopicPartition(_topic, 0), TimeSpan.FromSeconds(10)).High.Value;

        public void Dispose()
        {
            _consumer.Dispose();
            _publisher.Dispose();
        }
    }

    private sealed class NoSink : IRecordSink
    {
        public bool HasRoomToResume => true;

        public bool TryEnqueue(ConsumeResult<byte[]?, byte[]?> record, PartitionOffsets offsets) => true;
    }
}
