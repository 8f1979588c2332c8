using System.Threading.Channels;
using Confluent.Kafka;
using InviteStream.Core.Decisions;
using InviteStream.Core.Dispatch;
using InviteStream.Core.State;
using InviteStream.Kafka.Publishing;
using InviteStream.Kafka.Serialization;
using Microsoft.Extensions.Logging;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// Processes the records of one assigned partition. One contact's events are decided strictly in
/// offset order; different contacts run concurrently up to a limit. The bounded buffer is the
/// backpressure: when it is full the poll loop pauses the partition.
/// </summary>
internal sealed partial class PartitionWorker : IAsyncDisposable
{
    /// <summary>Optional record header naming the campaign ids (comma-separated) an event is for.</summary>
    public const string CampaignHeader = "x-campaign-id";

    private readonly Channel<(ConsumeResult<string?, byte[]> Record, long ReceivedAt)> _buffer;
    private readonly Func<string, bool> _knownCampaign;
    private readonly EventProcessor _processor;
    private readonly RecordPublisher _publisher;
    private readonly EventRecordReader _reader;
    private readonly PipelineStatistics _statistics;
    private readonly PipelineOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _inFlight;
    private readonly Lock _chainsLock = new();
    private readonly Dictionary<string, (Task Last, int Pending)> _chains = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _abort = new();
    private readonly Task _loop;
    private volatile bool _discardBuffered;
    private int _bufferedCount;
    private long _bufferedBytes;
    private DispatchTurn? _lastTurn;

    public PartitionWorker(
        TopicPartition partition,
        ContactStateStore state,
        EventProcessor processor,
        RecordPublisher publisher,
        EventRecordReader reader,
        PipelineStatistics statistics,
        PipelineOptions options,
        TimeProvider time,
        ILogger logger,
        Func<string, bool> knownCampaign)
    {
        _knownCampaign = knownCampaign;
        Partition = partition;
        State = state;
        _processor = processor;
        _publisher = publisher;
        _reader = reader;
        _statistics = statistics;
        _options = options;
        _time = time;
        _logger = logger;
        _inFlight = new SemaphoreSlim(options.MaxInFlightPerPartition, options.MaxInFlightPerPartition);
        _buffer = Channel.CreateUnbounded<(ConsumeResult<string?, byte[]>, long)>(
            new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = false });
        _loop = Task.Run(RunAsync);
    }

    public TopicPartition Partition { get; }

    /// <summary>The contact state of this partition, restored from the changelog before the first event.</summary>
    public ContactStateStore State { get; }

    public PartitionOffsets Offsets { get; } = new();

    /// <summary>Whether a paused partition may resume: its buffer is at most half full, so resuming does not flap.</summary>
    public bool HasRoomToResume =>
        Volatile.Read(ref _bufferedCount) <= _options.PartitionBufferCapacity / 2
        && Interlocked.Read(ref _bufferedBytes) <= _options.PartitionBufferBytes / 2;

    /// <summary>False when the buffer is full (records or bytes): the caller pauses the partition and tries again later.</summary>
    public bool TryEnqueue(ConsumeResult<string?, byte[]> record)
    {
        if (Volatile.Read(ref _bufferedCount) >= _options.PartitionBufferCapacity
            || Interlocked.Read(ref _bufferedBytes) >= _options.PartitionBufferBytes
            || !_buffer.Writer.TryWrite((record, _time.GetTimestamp())))
        {
            return false;
        }

        Interlocked.Increment(ref _bufferedCount);
        Interlocked.Add(ref _bufferedBytes, SizeOf(record));
        return true;
    }

    private static long SizeOf(ConsumeResult<string?, byte[]> record) =>
        (record.Message.Value?.Length ?? 0) + (record.Message.Key?.Length ?? 0);

    /// <summary>
    /// Stops taking records, lets in-flight decisions finish within <paramref name="timeout"/>, and
    /// cancels what is left. Buffered records not yet started are dropped: their offsets were not
    /// committed, so they are read again by whoever owns the partition next.
    /// </summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        _discardBuffered = true;
        _buffer.Writer.TryComplete();
        if (await Task.WhenAny(_loop, Task.Delay(timeout, _time)) != _loop)
        {
            LogDrainTimedOut(Partition.Topic, Partition.Partition.Value, timeout);
            await _abort.CancelAsync();
        }

        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Abandoned work keeps its offsets uncommitted; it will be processed again.
        }
    }

    /// <summary>Cancels everything at once, committing nothing more (the partition was lost).</summary>
    public async Task AbortAsync()
    {
        _discardBuffered = true;
        _buffer.Writer.TryComplete();
        await _abort.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Expected: nothing of this partition may be committed any more.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await AbortAsync();
        _abort.Dispose();
        _inFlight.Dispose();
    }

    private async Task RunAsync()
    {
        var token = _abort.Token;
        await foreach (var (record, receivedAt) in _buffer.Reader.ReadAllAsync(token))
        {
            Interlocked.Decrement(ref _bufferedCount);
            Interlocked.Add(ref _bufferedBytes, -SizeOf(record));
            if (_discardBuffered)
            {
                break;
            }

            _statistics.EventRead();
            var read = WithNamedCampaigns(record, await _reader.ReadAsync(record, token));

            // Most events need no I/O: when nothing of the contact is pending and a slot is free,
            // decide right here; only an event with something to send or publish gets a chain.
            var activity = PipelineTracing.StartEvent(record);
            Decision? decided = null;
            if (read.Event is { } behavioralEvent && _inFlight.CurrentCount > 0 && !HasPending(behavioralEvent.ContactId))
            {
                if (_processor.TryFinishWithoutIo(behavioralEvent, read.OnlyCampaigns, State, receivedAt, out var decision))
                {
                    Offsets.TrackCompleted(record.Offset.Value);
                    EventProcessor.Annotate(activity, behavioralEvent, RecordOrigin.Of(record), "no_match", null);
                    activity?.Dispose();
                    continue;
                }

                decided = decision;
            }

            Offsets.Track(record.Offset.Value);
            await _inFlight.WaitAsync(token);
            Schedule(record, read, receivedAt, decided, activity, token);
        }

        Task[] remaining;
        lock (_chainsLock)
        {
            remaining = [.. _chains.Values.Select(c => c.Last)];
        }

        await Task.WhenAll(remaining);
    }

    private bool HasPending(string contactId)
    {
        lock (_chainsLock)
        {
            return _chains.ContainsKey(contactId);
        }
    }

    private void Schedule(
        ConsumeResult<string?, byte[]> record, EventReadResult read, long receivedAt, Decision? decided, System.Diagnostics.Activity? activity, CancellationToken token)
    {

        // Dead letters carry no contact to order by; they share one chain so they stay in offset order too.
        var key = read.Event?.ContactId ?? "";
        var turn = new DispatchTurn(_lastTurn);
        _lastTurn = turn;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task previous;
        lock (_chainsLock)
        {
            previous = _chains.TryGetValue(key, out var chain) ? chain.Last : Task.CompletedTask;
            _chains[key] = (done.Task, chain.Pending + 1);
        }

        // Registered first, so it may run inline: an event that needs no I/O is decided right here.
        _ = RunAfterAsync(previous, record, read, receivedAt, key, turn, decided, activity, done, token);
    }

    private EventReadResult WithNamedCampaigns(ConsumeResult<string?, byte[]> record, EventReadResult read)
    {
        if (read.Event is null || record.Message.Headers?.TryGetLastBytes(CampaignHeader, out var header) != true)
        {
            return read;
        }

        // The producer may name the campaigns an event is meant for; a name we do not know is a
        // producer/deployment mismatch that must be seen, not silently ignored.
        var named = System.Text.Encoding.UTF8.GetString(header).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = named.FirstOrDefault(id => !_knownCampaign(id));
        return unknown is not null ? EventReadResult.Failed($"unknown_campaign:{unknown}") : read with { OnlyCampaigns = named };
    }

    private async Task RunAfterAsync(
        Task previous,
        ConsumeResult<string?, byte[]> record,
        EventReadResult read,
        long receivedAt,
        string key,
        DispatchTurn turn,
        Decision? decided,
        System.Diagnostics.Activity? activity,
        TaskCompletionSource done,
        CancellationToken token)
    {
        var completed = false;

        // The event's span is current for everything below (HTTP instrumentation, outcome headers);
        // an async method's change to it stays inside the method.
        System.Diagnostics.Activity.Current = activity;
        try
        {
            if (!previous.IsCompleted)
            {
                await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            token.ThrowIfCancellationRequested();
            try
            {
                if (read.Event is { } behavioralEvent)
                {
                    await _processor.ProcessAsync(record, behavioralEvent, read.OnlyCampaigns, State, receivedAt, turn, decided, token);
                }
                else
                {
                    turn.Release();
                    activity?.SetTag("invitestream.dead_letter.reason", read.Error);
                    await _publisher.PublishDeadLetterAsync(record, read.Error!, token);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A bug must not stall the partition or lose the event: it goes to the DLQ with the reason.
                LogProcessingFailed(ex, record.Topic, record.Partition.Value, record.Offset.Value);
                await _publisher.PublishDeadLetterAsync(record, $"processing_error:{ex.GetType().Name}", token);
            }

            completed = true;
        }
        finally
        {
            activity?.Dispose();
            turn.Release();
            if (completed)
            {
                Offsets.Complete(record.Offset.Value);
            }

            _inFlight.Release();
            lock (_chainsLock)
            {
                var chain = _chains[key];
                if (chain.Pending == 1)
                {
                    _chains.Remove(key);
                }
                else
                {
                    _chains[key] = (chain.Last, chain.Pending - 1);
                }
            }

            done.TrySetResult();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "In-flight work on {Topic}[{Partition}] did not finish within {Timeout}; abandoning it uncommitted")]
    private partial void LogDrainTimedOut(string topic, int partition, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Error, Message = "Processing {Topic}[{Partition}]@{Offset} failed unexpectedly")]
    private partial void LogProcessingFailed(Exception exception, string topic, int partition, long offset);
}
