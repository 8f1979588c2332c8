namespace InviteStream.Kafka.Publishing;

/// <summary>
/// Lets any number of producers into the open transaction at once, and the committer in alone:
/// while it is closed, new produce calls wait, so no record lands in a transaction that is being
/// committed and every record produced before the close is part of it.
/// </summary>
internal sealed class TransactionGate
{
    private readonly Lock _lock = new();
    private int _inside;
    private bool _closed;
    private TaskCompletionSource _reopened = NewSignal();
    private TaskCompletionSource? _emptied;

    public int Inside
    {
        get
        {
            lock (_lock)
            {
                return _inside;
            }
        }
    }

    public async ValueTask EnterAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task reopened;
            lock (_lock)
            {
                if (!_closed)
                {
                    _inside++;
                    return;
                }

                reopened = _reopened.Task;
            }

            await reopened.WaitAsync(cancellationToken);
        }
    }

    public void Exit()
    {
        lock (_lock)
        {
            _inside--;
            if (_inside == 0)
            {
                _emptied?.TrySetResult();
            }
        }
    }

    /// <summary>Closes the gate and blocks until every producer inside has left.</summary>
    public void Close()
    {
        Task emptied;
        lock (_lock)
        {
            _closed = true;
            _reopened = NewSignal();
            if (_inside == 0)
            {
                return;
            }

            _emptied = NewSignal();
            emptied = _emptied.Task;
        }

        emptied.GetAwaiter().GetResult();
    }

    public void Open()
    {
        lock (_lock)
        {
            _closed = false;
            _emptied = null;
            _reopened.TrySetResult();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
