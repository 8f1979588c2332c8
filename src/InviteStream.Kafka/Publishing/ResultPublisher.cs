using System.Text;
using Confluent.Kafka;
using InviteStream.Core.Dispatch;
using InviteStream.Core.Invites;
using InviteStream.Kafka.Serialization;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.Publishing;

/// <summary>
/// Sends a dispatch result back to the contact stage partition that decided the invite, keyed by
/// contact, with the dispatch span's trace context (the settlement continues the event's trace).
/// </summary>
internal sealed class ResultPublisher(RecordPublisher publisher, IOptions<KafkaOptions> options)
{
    public Task SendAsync(InviteTrigger trigger, int resultPartition, DispatchResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        var message = new Message<byte[]?, byte[]?>
        {
            Key = Encoding.UTF8.GetBytes(trigger.Event.ContactId),
            Value = TriggerJson.WriteResult(trigger, resultPartition, result),
            Headers = Pipeline.PipelineTracing.CurrentContext(),
        };

        return publisher.ProduceAsync(new TopicPartition(options.Value.EffectiveResultTopic, resultPartition), message, cancellationToken);
    }
}
