using Confluent.Kafka;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// A partition the loop reads: the consumer that reads it, where its records go, how far they are
/// done, and its flow control — a full sink pauses the partition, and the records fetched meanwhile
/// wait here, in order, until the sink has room again.
/// </summary>
internal sealed class OwnedPartition(TopicPartition partition, IConsumer<byte[]?, byte[]?> consumer, IRecordSink sink)
{
    private Queue<ConsumeResult<byte[]?, byte[]?>>? _held;

    public TopicPartition Partition { get; } = partition;

    public IConsumer<byte[]?, byte[]?> Consumer { get; } = consumer;

    public PartitionOffsets Offsets { get; } = new();

    public bool IsPaused => _held is not null;

    /// <summary>Hands the record to the sink, or holds it and pauses the partition when the sink has no room. False when paused.</summary>
    public bool Offer(ConsumeResult<byte[]?, byte[]?> record)
    {
        if (_held is not null)
        {
            // Records fetched before the pause keep arriving; they queue behind the others.
            _held.Enqueue(record);
        }
        else if (!sink.TryEnqueue(record, Offsets))
        {
            Consumer.Pause([Partition]);
            _held = new Queue<ConsumeResult<byte[]?, byte[]?>>([record]);
        }

        return _held is null;
    }

    /// <summary>Hands held records on while the sink has room, and resumes the partition once none is left. True once resumed.</summary>
    public bool ResumeWhenDrained()
    {
        if (_held is null)
        {
            return true;
        }

        if (!sink.HasRoomToResume)
        {
            return false;
        }

        while (_held.TryPeek(out var next) && sink.TryEnqueue(next, Offsets))
        {
            _held.Dequeue();
        }

        if (_held.Count > 0)
        {
            return false;
        }

        _held = null;
        Consumer.Resume([Partition]);
        return true;
    }

    /// <summary>The partition leaves: held records are dropped (their offsets were never committed) and it is no longer paused.</summary>
    public void Release()
    {
        if (_held is not null)
        {
            _held = null;
            Consumer.Resume([Partition]);
        }
    }
}
