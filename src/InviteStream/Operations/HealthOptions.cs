using System.ComponentModel.DataAnnotations;

namespace InviteStream.Operations;

/// <summary>The probe and metrics endpoint (section <c>Health</c>).</summary>
public sealed class HealthOptions
{
    public const string SectionName = "Health";

    /// <summary>Serve <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Address to listen on.</summary>
    [Required]
    public string Host { get; set; } = "0.0.0.0";

    /// <summary>Port; 0 picks a free one (the embedded and demo defaults).</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 8080;

    /// <summary><c>/healthz</c> fails when the poll loop has not turned for this long.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MaxPollStall { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary><c>/readyz</c> fails when the engagement API's circuit has been open this long.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MaxCircuitOpen { get; set; } = TimeSpan.FromSeconds(60);
}
