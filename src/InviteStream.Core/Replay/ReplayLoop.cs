namespace InviteStream.Core.Replay;

/// <summary>
/// One thread for everything a replay sets off: continuations are queued here and run in the
/// order they were queued when <see cref="RunPending"/> is called, never on the thread pool, so the
/// order of outcomes does not depend on thread timing.
/// </summary>
internal sealed class ReplayLoop : SynchronizationContext
{
    private readonly Queue<(SendOrPostCallback Callback, object? State)> _queue = new();

    public override void Post(SendOrPostCallback d, object? state) => _queue.Enqueue((d, state));

    public override void Send(SendOrPostCallback d, object? state) => d(state);

    public override SynchronizationContext CreateCopy() => this;

    /// <summary>Runs <paramref name="action"/> with this loop as the current context, then everything it queued.</summary>
    public void Run(Action action)
    {
        var previous = Current;
        SetSynchronizationContext(this);
        try
        {
            action();
            RunPending();
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }

    /// <summary>Runs queued continuations (and those they queue) until none is left.</summary>
    public void RunPending()
    {
        while (_queue.TryDequeue(out var work))
        {
            work.Callback(work.State);
        }
    }
}
