namespace InviteStream.Simulator;

/// <summary>Settings of the Predictive Engagement simulator.</summary>
public sealed class SimulatorOptions
{
    /// <summary>Port; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>Address to listen on: loopback unless it runs in a container of its own (<c>--host 0.0.0.0</c>).</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Port of the login listener (tokens only, as Genesys' <c>login.{region}</c> host); 0 picks a free one.</summary>
    public int LoginPort { get; set; }

    public string ClientId { get; set; } = "invitestream-dev";

    public string ClientSecret { get; set; } = "dev-secret-change-me";

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Faults injected from the start; change them at run time with <c>POST /_sim/faults</c>.</summary>
    public SimulatorFaults Faults { get; set; } = new();

    /// <summary>Trigger requests per client per minute before it answers 429 (Genesys: 300).</summary>
    public int RequestsPerMinute { get; set; } = 300;

    /// <summary>
    /// Whether every identifier looked up names an external contact (created on first lookup, as if
    /// the org's CRM sync knew every visitor); off, only contacts added or created are known and a
    /// lookup of any other answers 404.
    /// </summary>
    public bool KnowsEveryContact { get; set; } = true;

    /// <summary>How long an assigned journey segment stays before Genesys unassigns it; assigning it again extends it.</summary>
    public TimeSpan SegmentLifetime { get; set; } = TimeSpan.FromDays(1);
}
