using System.Text;
using Confluent.Kafka;
using InviteStream.Kafka.Pipeline;
using InviteStream.Kafka.Serialization;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.Publishing;

/// <summary>
/// The re-keying step: a record that is not keyed by its contactId (or not in its contact's home
/// partition) goes to the repartition topic, keyed by contactId, into the contact's home partition,
/// unchanged but for its origin in headers. The owner of that partition number decides it there,
/// with the contact's state.
/// </summary>
internal sealed class RekeyForwarder(RecordPublisher publisher, IOptions<KafkaOptions> options, PipelineStatistics statistics)
{
    public async Task ForwardAsync(ConsumeResult<byte[]?, byte[]?> source, string contactId, int homePartition, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var message = new Message<byte[]?, byte[]?>
        {
            Key = Encoding.UTF8.GetBytes(contactId),
            Value = source.Message.Value,
            Headers = OriginHeaders.CopyWithOrigin(source),
        };
        await publisher.ProduceAsync(new TopicPartition(options.Value.EffectiveRepartitionTopic, homePartition), message, cancellationToken);
        statistics.Rekeyed(reason);
    }
}
