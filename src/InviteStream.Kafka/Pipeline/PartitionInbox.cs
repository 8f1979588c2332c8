using System.Threading.Channels;
using Confluent.Kafka;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// The records of one partition waiting to be handled, bounded by count and by bytes: the bound is
/// the backpressure, since a full inbox makes the poll loop pause the partition. Pausing makes
/// librdkafka drop the partition's prefetched records, so the byte budget should hold several fetches.
/// </summary>
internal sealed class PartitionInbox(int maxRecords, long maxBytes, TimeProvider time)
{
    private readonly Channel<InboxItem> _channel = Channel.CreateUnbounded<InboxItem>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = false });
    private int _count;
    private long _bytes;
    private volatile bool _accepting = true;

    /// <summary>Room for more than half the budget: a paused partition may resume without flapping.</summary>
    public bool HasRoomToResume => _accepting && Volatile.Read(ref _count) <= maxRecords / 2 && Interlocked.Read(ref _bytes) <= maxBytes / 2;

    public bool TryEnqueue(ConsumeResult<byte[]?, byte[]?> record, PartitionOffsets offsets)
    {
        if (!_accepting
            || Volatile.Read(ref _count) >= maxRecords
            || Interlocked.Read(ref _bytes) >= maxBytes
            || !_channel.Writer.TryWrite(new InboxItem(record, offsets, time.GetTimestamp())))
        {
            return false;
        }

        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _bytes, SizeOf(record));
        return true;
    }

    /// <summary>Takes no more records; what is buffered can still be read (or dropped by the reader).</summary>
    public void Close()
    {
        _accepting = false;
        _channel.Writer.TryComplete();
    }

    /// <summary>The records in arrival order, each taken off the budget as it is read.</summary>
    public async IAsyncEnumerable<InboxItem> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in _channel.Reader.ReadAllAsync(cancellationToken))
        {
            Interlocked.Decrement(ref _count);
            Interlocked.Add(ref _bytes, -SizeOf(item.Record));
            yield return item;
        }
    }

    private static long SizeOf(ConsumeResult<byte[]?, byte[]?> record) =>
        (record.Message.Value?.Length ?? 0) + (record.Message.Key?.Length ?? 0);
}

/// <summary>A record in a <see cref="PartitionInbox"/>: its partition's offsets, and when it was received (a <see cref="TimeProvider"/> timestamp).</summary>
internal readonly record struct InboxItem(ConsumeResult<byte[]?, byte[]?> Record, PartitionOffsets Offsets, long ReceivedAt);
