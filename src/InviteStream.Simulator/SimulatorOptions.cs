namespace InviteStream.Simulator;

/// <summary>Settings of the Predictive Engagement simulator.</summary>
public sealed class SimulatorOptions
{
    /// <summary>Loopback port; 0 picks a free one.</summary>
    public int Port { get; set; }

    public string ClientId { get; set; } = "invitestream-dev";

    public string ClientSecret { get; set; } = "dev-secret-change-me";

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Faults injected from the start; change them at run time with <c>POST /_sim/faults</c>.</summary>
    public SimulatorFaults Faults { get; set; } = new();

    /// <summary>Trigger requests per client per minute before it answers 429 (Genesys: 300).</summary>
    public int RequestsPerMinute { get; set; } = 300;
}
