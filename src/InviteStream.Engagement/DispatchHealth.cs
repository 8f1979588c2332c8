namespace InviteStream.Engagement;

/// <summary>Whether the engagement API's circuit is open, and since when: readiness fails when it stays open.</summary>
public sealed class DispatchHealth
{
    private readonly Lock _lock = new();
    private DateTimeOffset? _openSince;

    /// <summary>When the circuit opened; null while it is closed (half-open counts as still open).</summary>
    public DateTimeOffset? CircuitOpenSince
    {
        get
        {
            lock (_lock)
            {
                return _openSince;
            }
        }
    }

    internal void Opened(DateTimeOffset now)
    {
        lock (_lock)
        {
            _openSince ??= now;
        }
    }

    internal void Closed()
    {
        lock (_lock)
        {
            _openSince = null;
        }
    }
}
