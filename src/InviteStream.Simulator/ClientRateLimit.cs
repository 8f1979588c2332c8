namespace InviteStream.Simulator;

/// <summary>A per-client fixed-window request budget, as an API gateway keeps it.</summary>
internal sealed class ClientRateLimit(int perMinute, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (DateTimeOffset WindowStart, int Used)> _clients = new(StringComparer.Ordinal);

    /// <summary>Takes one request from the client's budget; returns whether it fit, what remains and when the window resets.</summary>
    public (bool Allowed, int Remaining, DateTimeOffset ResetAt) Take(string clientId)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            var window = _clients.TryGetValue(clientId, out var current) && now < current.WindowStart.AddMinutes(1)
                ? current
                : (now, 0);
            var resetAt = window.Item1.AddMinutes(1);
            if (window.Item2 >= perMinute)
            {
                _clients[clientId] = window;
                return (false, 0, resetAt);
            }

            _clients[clientId] = (window.Item1, window.Item2 + 1);
            return (true, perMinute - window.Item2 - 1, resetAt);
        }
    }
}
