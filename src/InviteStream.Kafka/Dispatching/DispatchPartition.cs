using System.Diagnostics;
using Confluent.Kafka;
using InviteStream.Core.Dispatch;
using InviteStream.Core.Invites;
using InviteStream.Kafka.Pipeline;
using InviteStream.Kafka.Publishing;
using InviteStream.Kafka.Serialization;
using Microsoft.Extensions.Logging;

namespace InviteStream.Kafka.Dispatching;

/// <summary>
/// The invites of one trigger partition, and the budgets of the campaigns keyed to it: the grants
/// of the last window are restored before anything is granted (the API budget's, too, wherever
/// they are recorded), permits are asked for in the order
/// the invites arrived, different contacts are dispatched concurrently, and each result goes back
/// to the contact stage partition that decided the invite. The trigger's offset completes once its
/// result is durable.
/// </summary>
internal sealed partial class DispatchPartition(
    TopicPartition partition,
    Func<CancellationToken, Task<CampaignPermits>> restore,
    Func<Task> othersRestored,
    InviteFlow flow,
    ResultPublisher results,
    PipelineOptions options,
    TimeProvider time,
    ILogger logger) : PartitionWork(partition, options, time, options.MaxDispatchesInFlightPerPartition)
{
    private DispatchTurn? _lastTurn;

    /// <summary>The campaigns' budgets, once restored.</summary>
    public CampaignPermits? Permits { get; private set; }

    public override void Dispose()
    {
        base.Dispose();
        Permits?.Dispose();
    }

    // Invites still waiting for a permit are cancelled at once, and the next owner serves them from
    // the grants recorded here: a handover takes a call's time, not an invite deadline's.
    protected override Task OnStoppingAsync()
    {
        Permits?.Close();
        return Task.CompletedTask;
    }

    protected override void OnDrainTimedOut(TimeSpan timeout) => LogDrainTimedOut(Partition.Topic, Partition.Partition.Value, timeout);

    protected override async Task RunAsync(CancellationToken token)
    {
        try
        {
            Permits = await restore(token);
            if (Stopping)
            {
                Permits.Close(); // Stopped while restoring.
            }

            // The API budget's grants may come back with another partition's.
            await othersRestored().WaitAsync(token);

            await foreach (var item in Inbox.ReadAllAsync(token))
            {
                var (trigger, resultPartition) = TriggerJson.ReadTrigger(item.Record.Message.Value ?? []);
                var turn = _lastTurn = new DispatchTurn(_lastTurn);
                item.Offsets.Track(item.Record.Offset.Value);
                await Lanes.WaitForSlotAsync(token);
                Lanes.Schedule(trigger.Event.ContactId, () => DispatchAsync(item, trigger, resultPartition, turn, Permits, token), holdsSlot: true);
            }

            await Lanes.WhenIdleAsync();
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Abandoned: what is not committed is dispatched by the next owner, with the same grants.
        }
        catch (Exception ex)
        {
            LogPartitionFailed(ex, Partition.Topic, Partition.Partition.Value);
            Fail(ex);
        }
    }

    private async Task DispatchAsync(InboxItem item, InviteTrigger trigger, int resultPartition, DispatchTurn turn, CampaignPermits permits, CancellationToken token)
    {
        using var activity = PipelineTracing.StartEvent(item.Record);
        Activity.Current = activity;
        DispatchResult result;
        try
        {
            result = await flow.DispatchAsync(trigger, permits, turn, token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The contact waits for an answer: a bug here becomes a failed invite, not silence.
            LogDispatchFailed(ex, trigger.Origin.RequestId);
            result = new DispatchResult(DispatchStatus.Failed, $"processing_error:{ex.GetType().Name}");
        }

        await results.SendAsync(trigger, resultPartition, result, token);
        item.Offsets.Complete(item.Record.Offset.Value);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dispatches on {Topic}[{Partition}] did not finish within {Timeout}; abandoning them uncommitted")]
    private partial void LogDrainTimedOut(string topic, int partition, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dispatching {RequestId} failed unexpectedly; its result is failed")]
    private partial void LogDispatchFailed(Exception exception, string requestId);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The work of {Topic}[{Partition}] died; the worker stops")]
    private partial void LogPartitionFailed(Exception exception, string topic, int partition);
}
