using Confluent.Kafka;

namespace InviteStream.Kafka.Pipeline;

/// <summary>Where the consumer loop hands one partition's records: a bounded inbox, so a full one pauses the partition.</summary>
internal interface IRecordSink
{
    /// <summary>False when there is no room (or the partition is not ready yet): the loop pauses the partition and offers the record again later.</summary>
    bool TryEnqueue(ConsumeResult<byte[]?, byte[]?> record, PartitionOffsets offsets);

    /// <summary>Whether a paused partition may resume (room for more than a few fetches, so resuming does not flap).</summary>
    bool HasRoomToResume { get; }
}
