using System.Text;
using Confluent.Kafka;
using InviteStream.Core.Dispatch;
using InviteStream.Core.Invites;
using InviteStream.Core.State;
using InviteStream.Kafka.Serialization;
using Microsoft.Extensions.Logging;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// The dispatch results of one partition number (the result topic, co-partitioned with the input):
/// each settles its contact's pending invite in the partition's state, publishes the event's one
/// outcome and lets the contact's later events go on. Read beside the input, never behind it, so a
/// partition whose events wait for results can always get them.
/// </summary>
internal sealed partial class SettlementPartition(
    TopicPartition partition, DecisionPartition decisions, RecordHandler handler, InviteFlow flow, PipelineOptions options, TimeProvider time, ILogger logger)
    : PartitionWork(partition, options, time, options.MaxInFlightPerPartition)
{
    protected override async Task RunAsync(CancellationToken token)
    {
        try
        {
            var contacts = await decisions.Restored.WaitAsync(token);
            await foreach (var item in Inbox.ReadAllAsync(token))
            {
                item.Offsets.Track(item.Record.Offset.Value);
                await Lanes.WaitForSlotAsync(token);
                Lanes.Schedule(Encoding.UTF8.GetString(item.Record.Message.Key ?? []), () => SettleAsync(item, contacts, token), holdsSlot: true);
            }

            await Lanes.WhenIdleAsync();
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested || decisions.Restored.IsCanceled)
        {
            // Stopped before or while settling: what is not committed is read again by the next owner.
        }
    }

    private async Task SettleAsync(InboxItem item, ContactStateStore contacts, CancellationToken token)
    {
        var record = item.Record;
        string? contactId = null;
        using var activity = PipelineTracing.StartEvent(record);
        System.Diagnostics.Activity.Current = activity;
        try
        {
            contactId = await handler.SettleAsync(record, contacts, decisions.StateLog, token);
        }
        catch (SettledStateNotLoggedException ex)
        {
            // Its one outcome is out: settling it again as failed would publish a second one.
            LogSettledStateNotLogged(ex.InnerException, record.Topic, record.Partition.Value, record.Offset.Value, ex.Outcome.Status);
            contactId = ex.Outcome.ContactId;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The contact must not wait for this result forever: its invite is settled as failed.
            LogSettlementFailed(ex, record.Topic, record.Partition.Value, record.Offset.Value);
            var (trigger, _) = TriggerJson.ReadResult(record.Message.Value ?? []);
            contactId = trigger.Event.ContactId;
            var position = new Core.Events.EventOrigin(record.Topic, record.Partition.Value, record.Offset.Value);
            await flow.SettleAsync(trigger, new DispatchResult(DispatchStatus.Failed, $"processing_error:{ex.GetType().Name}"), contacts, decisions.StateLog, position, token);
        }
        finally
        {
            if (contactId is not null)
            {
                decisions.Parked.Release(contactId);
            }
        }

        item.Offsets.Complete(record.Offset.Value);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The settled state of the dispatch result {Topic}[{Partition}]@{Offset} was not written to the changelog; its outcome ({Status}) is published and the state is kept in memory")]
    private partial void LogSettledStateNotLogged(Exception? exception, string topic, int partition, long offset, Core.Outcomes.OutcomeStatus status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Settling the dispatch result {Topic}[{Partition}]@{Offset} failed; its invite is settled as failed")]
    private partial void LogSettlementFailed(Exception exception, string topic, int partition, long offset);
}
