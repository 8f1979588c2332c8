using System.ComponentModel.DataAnnotations;

namespace InviteStream.Engagement;

/// <summary>Settings of the engagement API client (section <c>Engagement</c>).</summary>
public sealed class EngagementOptions
{
    public const string SectionName = "Engagement";

    /// <summary>Base URL of the API, e.g. <c>https://api.mypurecloud.com</c>. Empty: start the simulator.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>OAuth token endpoint. Empty: <c>{BaseUrl}/oauth/token</c>.</summary>
    public Uri? TokenUrl { get; set; }

    public string ClientId { get; set; } = "";

    /// <summary>Never logged. Prefer the environment variable <c>INVITESTREAM__Engagement__ClientSecret</c>.</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>The whole API client's budget, shared by every partition and thread.</summary>
    [Range(1, 1_000_000)]
    public int ApiRequestsPerMinute { get; set; } = 300;

    /// <summary>Timeout of one HTTP attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public Uri EffectiveTokenUrl => TokenUrl ?? new Uri(BaseUrl!, "/oauth/token");
}
