namespace InviteStream.Core.Dispatch;

/// <summary>
/// A place in a partition's queue for rate-limit permits: an invite may ask for permits only once
/// every earlier event of its partition has asked (or decided not to), so permits are taken in
/// offset order even though different contacts are decided concurrently.
/// </summary>
public sealed class DispatchTurn
{
    private readonly Task _previous;
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="previous">The turn of the event just before in the same partition; null for the first.</param>
    public DispatchTurn(DispatchTurn? previous) => _previous = previous?._released.Task ?? Task.CompletedTask;

    public bool IsReleased => _released.Task.IsCompleted;

    /// <summary>Completes once every earlier event's turn is released.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _previous.WaitAsync(cancellationToken);

    /// <summary>Lets the next event ask for permits. Idempotent.</summary>
    public void Release() => _released.TrySetResult();
}
