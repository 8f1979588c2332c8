using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// A blocking poll loop on the caller's thread: a group consumer for the stage's topics and, for
/// co-partitioned topics the stage reads by assignment, a follower consumer that follows the
/// group's assignment. It hands records to each partition's sink and never waits on their work: a
/// full sink pauses its partition until it has room again. Rebalances open and close the stage's
/// partitions; the commit policy decides when progress is committed.
/// </summary>
internal sealed partial class PartitionedConsumerLoop(
    ConsumerConfig groupConfig,
    IReadOnlyList<string> topics,
    ConsumerConfig? followerConfig,
    IPartitionStage stage,
    ICommitPolicy commits,
    ConsumerProgress progress,
    ILogger logger)
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan FollowerPollTimeout = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan CommittedQueryTimeout = TimeSpan.FromSeconds(30);
    private const int FollowerBatch = 1000;

    // Records handed per turn: what a turn does besides (liveness, commits, resuming paused
    // partitions) costs more than handing a record on, so it runs once per batch, not per record.
    private const int GroupBatch = 500;
    private readonly OwnedPartitions _owned = new();
    private IConsumer<byte[]?, byte[]?> _group = null!;
    private IConsumer<byte[]?, byte[]?>? _follower;
    private FollowerPartitions? _followers;

    /// <summary>Runs until <paramref name="stopping"/>; then drains and commits the owned partitions and leaves the group.</summary>
    public void Run(CancellationToken stopping)
    {
        using var follower = followerConfig is null ? null : new ConsumerBuilder<byte[]?, byte[]?>(followerConfig)
            .SetErrorHandler((_, e) => progress.Erred(e))
            .SetOffsetsCommittedHandler((_, committed) => Committed(committed))
            .Build();
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(groupConfig)
            .SetPartitionsAssignedHandler((_, partitions) => Open(partitions))
            .SetPartitionsRevokedHandler((_, partitions) => OnRevoked([.. partitions.Select(p => p.TopicPartition)]))
            .SetPartitionsLostHandler((_, partitions) => OnLost([.. partitions.Select(p => p.TopicPartition)]))
            .SetOffsetsCommittedHandler((_, committed) => Committed(committed))
            .SetErrorHandler((_, e) => progress.Erred(e))
            .Build();
        _group = consumer;
        _follower = follower;
        _followers = follower is null ? null : new FollowerPartitions(follower);
        consumer.Subscribe(topics);
        LogStarted(topics, groupConfig.GroupId);
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                Turn(stopping);
            }
        }
        finally
        {
            // Stopping: whatever the final commit does, nothing is reopened.
            Leave(GroupPartitions(), graceful: true);
            consumer.Close();
            LogStopped();
        }
    }

    private void Turn(CancellationToken stopping)
    {
        progress.Turned(_owned.All);
        if (Report(commits.Tick(_owned.All, stopping)) && !stopping.IsCancellationRequested)
        {
            Rewind();
        }

        _owned.Resume();
        var following = _followers?.Any == true;
        var followed = following && PollFollower();
        var record = Consume(_group, followed ? TimeSpan.Zero : following ? FollowerPollTimeout : PollTimeout);
        var handed = 0;
        while (record is not null)
        {
            _owned.Hand(record);
            record = ++handed < GroupBatch && !stopping.IsCancellationRequested ? Consume(_group, TimeSpan.Zero) : null;
        }
    }

    private List<TopicPartition> GroupPartitions() => _owned.ReadBy(_group);

    // Drains what the follower has fetched, a bounded batch per turn so the group consumer keeps its pace.
    private bool PollFollower()
    {
        var handed = 0;
        while (handed < FollowerBatch && Consume(_follower!, TimeSpan.Zero) is { } record)
        {
            _owned.Hand(record);
            handed++;
        }

        return handed > 0;
    }

    private ConsumeResult<byte[]?, byte[]?>? Consume(IConsumer<byte[]?, byte[]?> consumer, TimeSpan timeout)
    {
        try
        {
            var record = consumer.Consume(timeout);
            if (record is null || record.IsPartitionEOF)
            {
                return null;
            }

            progress.BrokersAnswered();
            return record;
        }
        catch (ConsumeException ex) when (!ex.Error.IsFatal)
        {
            progress.Erred(ex.Error);
            return null;
        }
    }

    // Called for an empty assignment too: an instance the group gives nothing still knows where it stands.
    private void Open(List<TopicPartition> assigned)
    {
        var followers = new List<(TopicPartition, OwnedPartition)>();
        foreach (var route in stage.Open(assigned))
        {
            var owned = new OwnedPartition(route.Partition, route.ByAssignment ? _follower! : _group, route.Sink);
            _owned.Add(owned);
            if (route.ByAssignment)
            {
                // It follows the group partition of the same number among those just assigned.
                followers.Add((assigned.First(p => p.Partition == route.Partition.Partition), owned));
            }
        }

        _followers?.Follow(followers);

        LogAssigned(assigned);
    }

    private void OnRevoked(List<TopicPartition> partitions)
    {
        if (!Leave(partitions, graceful: true))
        {
            Rewind();
        }
    }

    private void OnLost(List<TopicPartition> partitions)
    {
        Leave(partitions, graceful: false);
        if (commits.IsTransactional && partitions.Count > 0)
        {
            // The open transaction holds records of the lost partitions, which their new owner decides again.
            commits.AbortOpen();
            Rewind();
        }
    }

    // Revocation, loss and shutdown: stop reading the partitions' followers, let the stage finish
    // (or abandon) their work, commit what is done, and forget them. False when the commit was
    // aborted (transactional): the partitions that stay must be rewound.
    private bool Leave(List<TopicPartition> partitions, bool graceful)
    {
        var leaving = partitions.Where(_owned.Contains).ToList();
        if (leaving.Count == 0)
        {
            return true;
        }

        // While the stage drains, its work may wait for records of the follower partitions: keep reading them.
        var closing = stage.CloseAsync(leaving, graceful);
        while (!closing.IsCompleted)
        {
            if (_followers?.Any != true || !PollFollower())
            {
                closing.Wait(FollowerPollTimeout);
            }

            _owned.Resume();
        }

        closing.GetAwaiter().GetResult();
        var followers = _followers?.Release(leaving) ?? [];
        var all = leaving.Select(p => _owned[p]).Concat(followers).ToList();
        var committed = !graceful || !Report(commits.CommitLeaving(all, [.. _owned.All]));
        Forget(all);
        LogLeft(leaving, graceful);

        return committed;
    }

    // Tells the stage what is committed; true when the commit had to be aborted.
    private bool Report(CommitResult result)
    {
        if (result.Committed.Count > 0)
        {
            stage.Committed(result.Committed);
        }

        return result.Aborted;
    }

    private void Committed(CommittedOffsets committed) =>
        stage.Committed([.. committed.Offsets.Where(o => !o.Error.IsError && !o.Offset.IsSpecial).Select(o => o.TopicPartitionOffset)]);

    private void Forget(List<OwnedPartition> partitions)
    {
        foreach (var owned in partitions)
        {
            _owned.Forget(owned);
            commits.Forget(owned);
        }
    }

    /// <summary>
    /// After an aborted transaction: drops every owned partition's in-flight work and state, opens the
    /// partitions again (state restored from the changelog, where the aborted records never became
    /// visible) and seeks back to the committed offsets (followers start again from theirs), so the
    /// aborted events are decided again.
    /// </summary>
    private void Rewind()
    {
        var owned = GroupPartitions();
        if (owned.Count == 0)
        {
            return;
        }

        Leave(owned, graceful: false);
        var committed = _group.Committed(owned, CommittedQueryTimeout);
        Open(owned);
        foreach (var position in committed)
        {
            _group.Seek(position.Offset.IsSpecial ? new TopicPartitionOffset(position.TopicPartition, Offset.Beginning) : position);
        }

        LogRewound(owned.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consuming {Topics} in group {GroupId}")]
    private partial void LogStarted(IReadOnlyList<string> topics, string groupId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Assigned {Partitions}")]
    private partial void LogAssigned(List<TopicPartition> partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Left {Partitions} (graceful: {Graceful})")]
    private partial void LogLeft(List<TopicPartition> partitions, bool graceful);

    [LoggerMessage(Level = LogLevel.Information, Message = "Consumer closed; offsets committed")]
    private partial void LogStopped();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rewound {Partitions} partitions to their committed offsets after an aborted transaction")]
    private partial void LogRewound(int partitions);
}
