using Confluent.Kafka;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// What the work of every partition shares, whatever the stage: the bounded inbox the consumer loop
/// fills, lanes that keep one key's records in order and run different keys concurrently, the run
/// loop, and how it ends — drained within a timeout, or abandoned uncommitted for the partition's
/// next owner to do again.
/// </summary>
/// <param name="inFlight">Records of the partition worked on at once (different keys).</param>
internal abstract class PartitionWork(TopicPartition partition, PipelineOptions options, TimeProvider time, int inFlight) : IRecordSink, IDisposable
{
    private readonly TaskCompletionSource _failure = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _run = Task.CompletedTask;

    public TopicPartition Partition { get; } = partition;

    /// <summary>Fails when the partition's work died (a bug it cannot get past); never completes otherwise.</summary>
    public Task Failure => _failure.Task;

    public bool HasRoomToResume => Inbox.HasRoomToResume;

    protected PartitionInbox Inbox { get; } = new(options.PartitionBufferCapacity, options.PartitionBufferBytes, time);

    protected ContactLanes Lanes { get; } = new(inFlight);

    /// <summary>Cancelled when what is left is abandoned: on a drain that timed out, or an abort.</summary>
    protected CancellationTokenSource Abandon { get; } = new();

    /// <summary>Set once the partition is stopping: no new work should start.</summary>
    protected bool Stopping { get; private set; }

    protected TimeProvider Time { get; } = time;

    public bool TryEnqueue(ConsumeResult<byte[]?, byte[]?> record, PartitionOffsets offsets) => Inbox.TryEnqueue(record, offsets);

    public void Start()
    {
        Lanes.Faulted.ContinueWith(t => _failure.TrySetException(t.Exception!.InnerExceptions), TaskContinuationOptions.OnlyOnFaulted);
        _run = RunAsync(Abandon.Token);
    }

    /// <summary>
    /// Takes no more records and lets the work under way finish within <paramref name="timeout"/>, then
    /// cancels what is left. Records not yet started are dropped: their offsets were not committed,
    /// so whoever owns the partition next reads them again.
    /// </summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        Stopping = true;
        Inbox.Close();
        await OnStoppingAsync();
        if (await Task.WhenAny(_run, Task.Delay(timeout, Time)) != _run)
        {
            OnDrainTimedOut(timeout);
            await Abandon.CancelAsync();
        }

        await _run;
    }

    /// <summary>Cancels everything at once; nothing more of this partition may be committed (it was lost).</summary>
    public async Task AbortAsync()
    {
        Stopping = true;
        Inbox.Close();
        OnAborting();
        await Abandon.CancelAsync();
        await _run;
    }

    public virtual void Dispose()
    {
        Abandon.Dispose();
        Lanes.Dispose();
    }

    /// <summary>Reads the inbox until it is closed (or <paramref name="token"/> abandons the work).</summary>
    protected abstract Task RunAsync(CancellationToken token);

    /// <summary>What to give up at once when stopping, before the work under way is waited for.</summary>
    protected virtual Task OnStoppingAsync() => Task.CompletedTask;

    protected virtual void OnDrainTimedOut(TimeSpan timeout)
    {
    }

    protected virtual void OnAborting()
    {
    }

    protected void Fail(Exception exception) => _failure.TrySetException(exception);
}
