using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.Serialization;

/// <summary>
/// Reads the behavioral event in a consumed record: the size checks, the configured format, the
/// timestamp's sanity, and waiting out an unreachable Schema Registry. Every record read through it
/// is either an event or a dead-letter reason.
/// </summary>
internal sealed partial class EventRecordReader(
    IRecordFormat format, IOptions<PipelineOptions> options, TimeProvider time, ILogger<EventRecordReader> logger)
{
    private static readonly TimeSpan RegistryRetryDelay = TimeSpan.FromSeconds(1);
    private readonly int _maxRecordBytes = options.Value.MaxRecordBytes;
    private long _lastNowTicks = DateTimeOffset.MinValue.UtcTicks;

    /// <summary>A registry that cannot be reached (or answers with an error) says nothing about the record being read or written.</summary>
    public static bool IsRegistryUnavailable(Exception exception) =>
        exception is HttpRequestException or Confluent.SchemaRegistry.SchemaRegistryException or TaskCanceledException;

    public ValueTask<EventReadResult> ReadAsync(ConsumeResult<byte[]?, byte[]?> record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var value = record.Message.Value;
        if (value is null)
        {
            return ValueTask.FromResult(EventReadResult.Failed("empty_value"));
        }

        if (value.Length > _maxRecordBytes)
        {
            return ValueTask.FromResult(EventReadResult.Failed(EventChecks.TooLarge));
        }

        // JSON (and Avro with a cached schema) completes synchronously: no state machine per event.
        var pending = format.ReadEventAsync(record.Topic, value);
        return pending.IsCompletedSuccessfully
            ? ValueTask.FromResult(Checked(pending.Result))
            : WaitForRegistryAsync(record, value, pending, cancellationToken);
    }

    // The clock is read only for an event too far ahead of the last reading: clocks move forward, so
    // an event close enough to an earlier now is close enough to the current one.
    private EventReadResult Checked(EventReadResult read)
    {
        if (read.Event is not { } e || !EventChecks.IsInFuture(e.OccurredAt, new DateTimeOffset(Volatile.Read(ref _lastNowTicks), TimeSpan.Zero)))
        {
            return read;
        }

        var now = time.GetUtcNow();
        Volatile.Write(ref _lastNowTicks, now.UtcTicks);
        return EventChecks.Checked(read, now);
    }

    // Waits for the registry instead of dead-lettering good data.
    private async ValueTask<EventReadResult> WaitForRegistryAsync(
        ConsumeResult<byte[]?, byte[]?> record, byte[] value, ValueTask<EventReadResult> pending, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return Checked(await pending);
            }
            catch (Exception ex) when (IsRegistryUnavailable(ex) && !cancellationToken.IsCancellationRequested)
            {
                LogRegistryUnavailable(ex.Message, record.Topic, record.Partition.Value, record.Offset.Value);
                await Task.Delay(RegistryRetryDelay, time, cancellationToken);
                pending = format.ReadEventAsync(record.Topic, value);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schema Registry unavailable ({Reason}) reading {Topic}[{Partition}]@{Offset}; retrying")]
    private partial void LogRegistryUnavailable(string reason, string topic, int partition, long offset);
}
