using System.Text;
using Confluent.Kafka;
using InviteStream.Core.Invites;
using InviteStream.Kafka.Pipeline;
using InviteStream.Kafka.Serialization;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.Publishing;

/// <summary>
/// Hands a decided invite to the dispatch stage: the trigger topic, keyed by campaign id, in the
/// campaign's partition, so every invite of a campaign meets the one budget that owns its cap.
/// </summary>
internal sealed class TriggerPublisher(RecordPublisher publisher, ContactPartitioner partitioner, TopicLayout layout, IOptions<KafkaOptions> options)
{
    public Task SendAsync(InviteTrigger trigger, int resultPartition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        var key = Encoding.UTF8.GetBytes(trigger.CampaignId);
        var partition = new TopicPartition(options.Value.EffectiveTriggerTopic, partitioner.HomeOf(key, layout.TriggerPartitions));
        // The dispatch continues the event's trace.
        var message = new Message<byte[]?, byte[]?> { Key = key, Value = TriggerJson.WriteTrigger(trigger, resultPartition), Headers = PipelineTracing.CurrentContext() };

        return publisher.ProduceAsync(partition, message, cancellationToken);
    }
}
