using System.Buffers;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// Where an event is decided. One contact's state lives in one partition number, its home, so an
/// event is decided where it was read only when it is keyed by its contactId and sits in the
/// contact's home partition; otherwise it is re-keyed into the home partition of the repartition
/// topic, whose owner is the owner of that partition number of the input.
/// </summary>
internal sealed class RecordRouting(ContactPartitioner partitioner, IOptions<KafkaOptions> options)
{
    private readonly string _repartitionTopic = options.Value.EffectiveRepartitionTopic;
    private readonly HashSet<string> _unkeyedTopics = [.. options.Value.UnkeyedInputTopics];

    /// <summary>Whether the record was re-keyed here before (it is read from the repartition topic).</summary>
    public bool WasRekeyed(ConsumeResult<byte[]?, byte[]?> record) => record.Topic == _repartitionTopic;

    /// <summary>Null when the event is decided where it is; otherwise why it is re-keyed and where to.</summary>
    public Rekeying? Route(ConsumeResult<byte[]?, byte[]?> record, string contactId, int partitions)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (WasRekeyed(record))
        {
            return null; // It is in its home partition, keyed by its contactId.
        }

        var length = Encoding.UTF8.GetByteCount(contactId);
        var rented = length > 256 ? ArrayPool<byte>.Shared.Rent(length) : null;
        try
        {
            Span<byte> contact = rented ?? stackalloc byte[length];
            contact = contact[..Encoding.UTF8.GetBytes(contactId, contact)];
            var home = partitioner.HomeOf(contact, partitions);
            var key = record.Message.Key;
            string? reason = _unkeyedTopics.Contains(record.Topic) ? "unkeyed_topic"
                : key is null || key.Length == 0 ? "missing_key"
                : !contact.SequenceEqual(key) ? "key_mismatch"
                : record.Partition.Value != home ? "partition_mismatch"
                : null;
            return reason is null ? null : new Rekeying(contactId, reason, home);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}

/// <summary>A record to re-key: its contact, why (<c>unkeyed_topic</c>, <c>missing_key</c>, <c>key_mismatch</c>, <c>partition_mismatch</c>), and the contact's home partition.</summary>
internal sealed record Rekeying(string ContactId, string Reason, int HomePartition);
