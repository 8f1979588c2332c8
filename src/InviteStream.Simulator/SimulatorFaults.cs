namespace InviteStream.Simulator;

/// <summary>
/// Faults the simulator injects into trigger and segment calls, set at start or at run time through
/// <c>POST /_sim/faults</c>.
/// </summary>
public sealed class SimulatorFaults
{
    /// <summary>Each response waits a uniformly random time between these bounds.</summary>
    public TimeSpan LatencyMin { get; set; }

    public TimeSpan LatencyMax { get; set; }

    /// <summary>Share of calls answered with <see cref="ErrorStatus"/> (0 to 1).</summary>
    public double ErrorRate { get; set; }

    public int ErrorStatus { get; set; } = 503;

    /// <summary>Answer the next N calls with <see cref="ErrorStatus"/>, then behave.</summary>
    public int FailNext { get; set; }

    /// <summary>Every call gets 429 while set: a rate-limit storm.</summary>
    public bool RateLimitStorm { get; set; }

    /// <summary>How a 429 says when to come back: <c>RetryAfterSeconds</c>, <c>RetryAfterDate</c> or <c>RateLimitReset</c>.</summary>
    public string RateLimitStyle { get; set; } = "RetryAfterSeconds";

    /// <summary>Seconds until the client may retry after a 429.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>Calls never get an answer while set.</summary>
    public bool Hang { get; set; }

    /// <summary>The next N segment assignment calls leave every assignment unprocessed (partial success).</summary>
    public int UnprocessedSegmentCalls { get; set; }

    internal SimulatorFaults Copy() => (SimulatorFaults)MemberwiseClone();
}
