using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using InviteStream.Kafka.Clients;
using InviteStream.Kafka.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace InviteStream.Kafka.Tests.Pipeline;

/// <summary>The poll loop against the embedded broker, with a stage that only records what reaches it.</summary>
[TestFixture]
public sealed class PartitionedConsumerLoopTests
{
    private const int Partitions = 2;

    [Test]
    public async Task A_full_sink_pauses_its_partition_and_on_resume_every_record_arrives_once_in_order()
    {
        var topic = TestBroker.Topic("loop-pause", Partitions);
        await ProduceAsync(topic, 3000);
        var stage = new RecordingStage();
        stage.Accepting = false;

        using var running = Run(topic, stage);
        await WaitUntilAsync(() => stage.Opened.Count == Partitions, "both partitions are assigned");
        await WaitUntilAsync(() => stage.Refused > 0, "the sinks refused records");
        Assert.That(stage.Received, Is.Empty);

        stage.Accepting = true;
        await WaitUntilAsync(() => stage.Received.Count == 3000, "every record is handed on");
        await running.StopAsync();

        foreach (var partition in stage.Received.GroupBy(r => r.Partition.Value))
        {
            var offsets = partition.Select(r => r.Offset.Value).ToList();
            Assert.That(offsets, Is.EqualTo(Enumerable.Range(0, offsets.Count).Select(o => (long)o)), $"partition {partition.Key}: every offset once, in order");
        }
    }

    [Test]
    public async Task Stopping_closes_the_stages_partitions_before_it_commits_only_the_done_prefix()
    {
        var topic = TestBroker.Topic("loop-commit", 1);
        await ProduceAsync(topic, 20, partitions: 1);
        var stage = new RecordingStage { Completes = offset => offset != 12 };

        var running = Run(topic, stage);
        await WaitUntilAsync(() => stage.Received.Count == 20, "every record is handed on");
        await running.StopAsync();

        Assert.That(stage.Closed, Has.Count.EqualTo(1));
        Assert.That(stage.Closed[0].Graceful, Is.True);
        Assert.That(Committed(running.GroupId, topic, 0), Is.EqualTo(12), "offset 12 is not done: nothing from it on is committed");
    }

    [Test]
    public async Task A_follower_partition_is_read_with_its_group_partition_and_resumes_from_its_own_committed_offset()
    {
        var topic = TestBroker.Topic("loop-lead", Partitions);
        var follower = TestBroker.Topic("loop-follower", Partitions);
        await ProduceAsync(follower, 100);
        var stage = new RecordingStage { FollowerTopic = follower, Completes = offset => offset < 30 };
        var groupId = $"group-{Guid.NewGuid():N}";

        var first = Run(topic, stage, groupId);
        await WaitUntilAsync(() => stage.Received.Count(r => r.Topic == follower) == 100, "the follower's records are read");
        await first.StopAsync();

        var again = new RecordingStage { FollowerTopic = follower };
        var second = Run(topic, again, groupId);
        await WaitUntilAsync(() => again.Received.Any(r => r.Topic == follower), "the follower is read again");
        await WaitUntilAsync(() => again.Received.Count(r => r.Topic == follower) == 100 - (2 * 30), "the rest of the follower's records are read");
        await second.StopAsync();

        Assert.That(
            again.Received.Where(r => r.Topic == follower).Min(r => r.Offset.Value),
            Is.EqualTo(30),
            "each follower partition starts from the offset committed for it, in a group of its own");
    }

    // Round robin over the topic's partitions, so each holds the same number of records.
    private static async Task ProduceAsync(string topic, int count, int partitions = Partitions)
    {
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = TestBroker.Cluster.BootstrapServers }).Build();
        var deliveries = Enumerable.Range(0, count).Select(i => producer.ProduceAsync(
            new TopicPartition(topic, i % partitions),
            new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes($"k{i}"), Value = Encoding.UTF8.GetBytes($"v{i}") }));
        await Task.WhenAll(deliveries);
    }

    private static long Committed(string groupId, string topic, int partition)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(
            new ConsumerConfig { BootstrapServers = TestBroker.Cluster.BootstrapServers, GroupId = groupId }).Build();
        return consumer.Committed([new TopicPartition(topic, partition)], TimeSpan.FromSeconds(10))[0].Offset.Value;
    }

    private static RunningLoop Run(string topic, RecordingStage stage, string? groupId = null)
    {
        var options = new KafkaOptions
        {
            BootstrapServers = TestBroker.Cluster.BootstrapServers,
            GroupId = groupId ?? $"group-{Guid.NewGuid():N}",
            GroupProtocol = GroupProtocol.Consumer,
        };
        var time = TimeProvider.System;
        var health = new PipelineHealth(time);
        var loop = new PartitionedConsumerLoop(
            KafkaClientConfig.GroupConsumer(options),
            [topic],
            KafkaClientConfig.FollowerConsumer(options),
            stage,
            new StoredOffsetCommits(time, NullLogger<StoredOffsetCommits>.Instance),
            new ConsumerProgress("test", health, new PipelineStatistics(), time, NullLogger<ConsumerProgress>.Instance),
            NullLogger.Instance);
        return new RunningLoop(loop, options.GroupId);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (deadline.IsCancellationRequested)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(10, CancellationToken.None);
        }
    }

    private sealed class RunningLoop : IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();
        private readonly Task _thread;

        public RunningLoop(PartitionedConsumerLoop loop, string groupId)
        {
            GroupId = groupId;
            _thread = Task.Factory.StartNew(() => loop.Run(_stopping.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        public string GroupId { get; }

        public async Task StopAsync()
        {
            await _stopping.CancelAsync();
            await _thread.WaitAsync(TimeSpan.FromSeconds(30));
        }

        public void Dispose()
        {
            _stopping.Cancel();
            _thread.Wait(TimeSpan.FromSeconds(30));
            _stopping.Dispose();
        }
    }

    /// <summary>A stage whose partitions hand every record to one list, completing (or not) each offset at once.</summary>
    private sealed class RecordingStage : IPartitionStage
    {
        private int _refused;

        public volatile bool Accepting = true;

        public string? FollowerTopic { get; init; }

        public Func<long, bool> Completes { get; init; } = _ => true;

        public ConcurrentQueue<ConsumeResult<byte[]?, byte[]?>> Received { get; } = new();

        public List<TopicPartition> Opened { get; } = [];

        public List<(TopicPartition Partition, bool Graceful)> Closed { get; } = [];

        public int Refused => Volatile.Read(ref _refused);

        public IReadOnlyList<PartitionRoute> Open(IReadOnlyCollection<TopicPartition> assigned)
        {
            Opened.AddRange(assigned);
            var routes = assigned.Select(p => new PartitionRoute(p, new Sink(this), ByAssignment: false)).ToList();
            if (FollowerTopic is not null)
            {
                routes.AddRange(assigned.Select(p => new PartitionRoute(new TopicPartition(FollowerTopic, p.Partition), new Sink(this), ByAssignment: true)));
            }

            return routes;
        }

        public Task CloseAsync(IReadOnlyCollection<TopicPartition> leaving, bool graceful)
        {
            Closed.AddRange(leaving.Select(p => (p, graceful)));
            return Task.CompletedTask;
        }

        public void Committed(IReadOnlyList<TopicPartitionOffset> offsets) => CommittedOffsets.AddRange(offsets);

        public List<TopicPartitionOffset> CommittedOffsets { get; } = [];

        private sealed class Sink(RecordingStage stage) : IRecordSink
        {
            public bool HasRoomToResume => stage.Accepting;

            public bool TryEnqueue(ConsumeResult<byte[]?, byte[]?> record, PartitionOffsets offsets)
            {
                if (!stage.Accepting)
                {
                    Interlocked.Increment(ref stage._refused);
                    return false;
                }

                stage.Received.Enqueue(record);
                offsets.Track(record.Offset.Value);
                if (stage.Completes(record.Offset.Value))
                {
                    offsets.Complete(record.Offset.Value);
                }

                return true;
            }
        }
    }
}
