using System.ComponentModel.DataAnnotations;

namespace InviteStream.Engagement;

/// <summary>Settings of the engagement API client (section <c>Engagement</c>).</summary>
public sealed partial class EngagementOptions
{
    public const string SectionName = "Engagement";

    /// <summary>
    /// The Genesys Cloud region's domain (<c>mypurecloud.com</c>, <c>mypurecloud.ie</c>,
    /// <c>euw2.pure.cloud</c>, ...): the API is <c>https://api.{Region}</c> and tokens come from
    /// <c>https://login.{Region}/oauth/token</c>. <see cref="BaseUrl"/> and <see cref="TokenUrl"/> override either.
    /// </summary>
    public string? Region { get; set; }

    /// <summary>Base URL of the API, e.g. <c>https://api.mypurecloud.com</c>; overrides the region's. Empty with no region: start the simulator.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>OAuth token endpoint; overrides the region's. Empty with no region: <c>{BaseUrl}/oauth/token</c>.</summary>
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

    /// <summary>Which API the invites go to: <c>Guide</c> (the guide's trigger endpoint) or <c>JourneySegments</c> (Genesys Cloud).</summary>
    public EngagementApi Api { get; set; } = EngagementApi.Guide;

    /// <summary>For <c>JourneySegments</c>: the journey segment id assigned for each campaign id.</summary>
    public IDictionary<string, string> SegmentIds { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>For <c>JourneySegments</c>: an event attribute holding the Genesys external contact id itself (a UUID); when an event has it, no lookup is made.</summary>
    public string? ExternalContactIdAttribute { get; set; }

    /// <summary>
    /// For <c>JourneySegments</c>: the type of identifier Genesys knows the contact by, looked up with
    /// <c>POST /api/v2/externalcontacts/identifierlookup/contacts</c>: <c>ExternalId</c> (the
    /// customer's own id), <c>Cookie</c>, <c>Email</c>, <c>Phone</c>, <c>SocialLine</c>,
    /// <c>SocialFacebook</c>, <c>SocialTwitter</c>, <c>SocialWhatsapp</c> or <c>SocialInstagram</c>.
    /// </summary>
    public string ContactIdentifierType { get; set; } = "ExternalId";

    /// <summary>For <c>JourneySegments</c>: the event attribute holding the identifier's value. Empty: the contactId without its <c>ext:</c> prefix.</summary>
    public string? ContactIdentifierAttribute { get; set; }

    /// <summary>For <c>JourneySegments</c>: create an external contact (<c>POST /api/v2/externalcontacts/contacts</c>) when the lookup finds none; off, the outcome is <c>rejected</c> (<c>unknown_contact</c>).</summary>
    public bool CreateMissingContacts { get; set; }

    /// <summary>How long a looked-up contact id (or "no such contact") is reused before it is looked up again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan ContactIdCacheTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Looked-up contact ids kept at most (the oldest are dropped beyond).</summary>
    [Range(1, 10_000_000)]
    public int ContactIdCacheSize { get; set; } = 100_000;

    /// <summary>For <c>JourneySegments</c>: what an invite does when the contact holds the segment already (<c>Report</c>, <c>Reassign</c>, <c>Extend</c>).</summary>
    public SegmentAlreadyAssigned SegmentAlreadyAssigned { get; set; } = SegmentAlreadyAssigned.Report;

    /// <summary>The identifier types the identifier lookup accepts (the public SDKs' <c>ContactIdentifier.type</c>).</summary>
    public static IReadOnlyList<string> IdentifierTypes { get; } =
        ["ExternalId", "Cookie", "Email", "Phone", "SocialLine", "SocialFacebook", "SocialTwitter", "SocialWhatsapp", "SocialInstagram"];

    /// <summary>
    /// Ask the API's suppression endpoint before inviting a contact the local state knows nothing of
    /// (e.g. just after start). Each lookup spends one request of the API budget.
    /// </summary>
    public bool CheckSuppressionForUnknownContacts { get; set; }

    /// <summary>Retries of one invite after the first attempt (429, 408, 502, 503, 504, timeouts, connection failures), never past its deadline.</summary>
    /// <summary>HTTP connections to the API at once (requests beyond wait for one): bounds the load on both ends.</summary>
    [Range(1, 10_000)]
    public int MaxConnections { get; set; } = 64;

    [Range(0, 20)]
    public int MaxRetries { get; set; } = 5;

    /// <summary>Base delay of the exponential, jittered backoff; a <c>Retry-After</c> or rate-limit reset wins when later.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The circuit opens when at least this share of calls fail within <see cref="CircuitSamplingDuration"/>.</summary>
    [Range(0.01, 1.0)]
    public double CircuitFailureRatio { get; set; } = 0.5;

    [Range(2, 100_000)]
    public int CircuitMinimumThroughput { get; set; } = 20;

    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan CircuitSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the circuit stays open; meanwhile invites fail at once with reason <c>circuit_open</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The API's base URL: <see cref="BaseUrl"/>, else the region's <c>https://api.{Region}/</c>.</summary>
    public Uri? EffectiveBaseUrl => BaseUrl ?? (HasRegion && RegionIsDomain ? new Uri($"https://api.{Region}/") : null);

    /// <summary>The token endpoint: <see cref="TokenUrl"/>, else the region's login host, else <c>{BaseUrl}/oauth/token</c>.</summary>
    public Uri EffectiveTokenUrl => TokenUrl ?? (HasRegion ? new Uri($"https://login.{Region}/oauth/token") : new Uri(EffectiveBaseUrl!, "/oauth/token"));

    /// <summary>Whether <see cref="Region"/> is a domain name (letters, digits and hyphens in two or more dot-separated labels).</summary>
    public bool RegionIsDomain => !HasRegion || RegionPattern().IsMatch(Region!);

    private bool HasRegion => !string.IsNullOrWhiteSpace(Region);

    [System.Text.RegularExpressions.GeneratedRegex("^(?!-)[a-z0-9-]{1,63}(?<!-)(\\.(?!-)[a-z0-9-]{1,63}(?<!-))+$")]
    private static partial System.Text.RegularExpressions.Regex RegionPattern();
}
