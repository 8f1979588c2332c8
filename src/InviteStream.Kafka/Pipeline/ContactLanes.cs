namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// Runs a partition's asynchronous work in lanes: work of one key (a contact) runs strictly after the
/// work scheduled before it under that key, different keys run concurrently up to a limit. Work that
/// fails with anything but cancellation is a bug the partition cannot get past: <see cref="Faulted"/>.
/// </summary>
internal sealed class ContactLanes(int maxInFlight) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (Task Last, int Pending)> _lanes = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _slots = new(maxInFlight, maxInFlight);
    private readonly TaskCompletionSource _faulted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Fails with the first exception any work threw.</summary>
    public Task Faulted => _faulted.Task;

    public bool HasFreeSlot => _slots.CurrentCount > 0;

    /// <summary>Whether nothing of this key is scheduled or running.</summary>
    public bool IsIdle(string key)
    {
        lock (_lock)
        {
            return !_lanes.ContainsKey(key);
        }
    }

    /// <summary>Takes one of the in-flight slots; <see cref="Schedule"/> with <c>holdsSlot</c> gives it back when its work ends.</summary>
    public Task WaitForSlotAsync(CancellationToken cancellationToken) => _slots.WaitAsync(cancellationToken);

    /// <summary>Gives back a slot taken with <see cref="WaitForSlotAsync"/> for work scheduled without <c>holdsSlot</c>.</summary>
    public void ReleaseSlot() => _slots.Release();

    /// <summary>Runs <paramref name="work"/> after everything scheduled before under <paramref name="key"/>.</summary>
    /// <param name="holdsSlot">Whether the caller took a slot for it (<see cref="WaitForSlotAsync"/>).</param>
    public void Schedule(string key, Func<Task> work, bool holdsSlot) =>
        Schedule(key, async () =>
        {
            await work();
            return null;
        }, holdsSlot);

    /// <summary>
    /// Runs <paramref name="work"/> after everything scheduled before under <paramref name="key"/>;
    /// when the work hands back a task, the lane stays held until that task ends too (its slot does not).
    /// </summary>
    public void Schedule(string key, Func<Task<Task?>> work, bool holdsSlot)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task previous;
        lock (_lock)
        {
            previous = _lanes.TryGetValue(key, out var lane) ? lane.Last : Task.CompletedTask;
            _lanes[key] = (done.Task, lane.Pending + 1);
        }

        // Registered first, so it may run inline: work that needs no I/O finishes right here.
        _ = RunAsync(previous, key, work, holdsSlot, done);
    }

    /// <summary>Completes once everything scheduled so far has ended.</summary>
    public Task WhenIdleAsync()
    {
        lock (_lock)
        {
            return Task.WhenAll(_lanes.Values.Select(l => l.Last));
        }
    }

    public void Dispose() => _slots.Dispose();

    private async Task RunAsync(Task previous, string key, Func<Task<Task?>> work, bool holdsSlot, TaskCompletionSource done)
    {
        Task? hold = null;
        try
        {
            if (!previous.IsCompleted)
            {
                await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            hold = await work();
        }
        catch (OperationCanceledException)
        {
            // Abandoned (the partition left): its offset stays uncommitted and its next owner does it again.
        }
        catch (Exception ex)
        {
            _faulted.TrySetException(ex);
        }
        finally
        {
            if (holdsSlot)
            {
                _slots.Release();
            }

            if (hold is not null)
            {
                await hold.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            lock (_lock)
            {
                var lane = _lanes[key];
                if (lane.Pending == 1)
                {
                    _lanes.Remove(key);
                }
                else
                {
                    _lanes[key] = (lane.Last, lane.Pending - 1);
                }
            }

            done.TrySetResult();
        }
    }
}
