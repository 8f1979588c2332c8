using System.ComponentModel.DataAnnotations;

namespace InviteStream.Kafka;

/// <summary>How events are processed (section <c>Pipeline</c>).</summary>
public sealed class PipelineOptions
{
    public const string SectionName = "Pipeline";

    /// <summary>Events older than this at decision time get outcome <c>expired</c> and are never dispatched.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "7.00:00:00")]
    public TimeSpan MaxEventAge { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An invite is worth sending until event time + this (its intent deadline).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan MaxInviteDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A campaign permit goes only to an invite with at least this long left before its intent
    /// deadline; nearer to it the invite is throttled and the permit goes to the next one. Granted
    /// later, its request would be cut off by the deadline and still spend a send of the cap.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MinTimeToSend { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Events of one partition being decided at once (different contacts; one contact's events stay in order).</summary>
    [Range(1, 10_000)]
    public int MaxInFlightPerPartition { get; set; } = 1024;

    /// <summary>
    /// Invites of one trigger partition being dispatched at once (one contact's in order). All
    /// invites of a campaign go through one trigger partition, so this bounds a campaign's calls in
    /// flight; each dispatch spends most of its time on acknowledged writes around its call.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxDispatchesInFlightPerPartition { get; set; } = 256;

    /// <summary>Records buffered per partition before the partition is paused.</summary>
    [Range(1, 1_000_000)]
    public int PartitionBufferCapacity { get; set; } = 20_000;

    /// <summary>
    /// Bytes (keys and values) buffered per partition before the partition is paused. Pausing drops
    /// the client's prefetched records of that partition, which are fetched again on resume, so the
    /// budget should hold several fetches (<c>max.partition.fetch.bytes</c>, 1 MiB by default).
    /// </summary>
    [Range(1024, 1_073_741_824)]
    public int PartitionBufferBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Records larger than this go to the dead-letter topic.</summary>
    [Range(1, 100_000_000)]
    public int MaxRecordBytes { get; set; } = 64 * 1024;

    /// <summary>The window of every campaign's <c>maxInvitesPerMinute</c>: a minute, as the guide says. Shorter only to test the caps quickly.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan CampaignRateWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long shutdown or a revocation waits for in-flight decisions.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How often contacts no cooldown can apply to are dropped (and tombstoned in the changelog).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan StateEvictionInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An invite by any campaign suppresses the others for their cooldown (the guide's behaviour).</summary>
    public bool ConsolidatedSuppression { get; set; } = true;

    /// <summary>Publish <c>not_eligible</c> outcomes, with per-filter reasons, for events that matched no campaign.</summary>
    public bool EmitNotEligible { get; set; }

    /// <summary>
    /// How long past its end a minute of event time stays open on <c>Kafka:StatsTopic</c>: it is
    /// published once the wall clock, or the newest event time seen, passes its end plus this.
    /// An event of that minute arriving later updates it (the record's revision grows).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan StatsGrace { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long after its close a minute's total is kept in memory to add late events to. Events of
    /// an older minute (only <c>expired</c> outcomes reach that far) are not added to the topic:
    /// they are counted in <c>invitestream.stats.dropped</c> and logged.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan StatsRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Log contact ids as they are. Off (default): logs carry a stable hash (<c>c_</c> + 16 hex digits) instead.</summary>
    public bool LogPlainContactIds { get; set; }

    /// <summary>Event attributes sent in <c>sessionData</c> besides those the campaign's filters reference.</summary>
    public IList<string> PassThroughAttributes { get; } = ["browser.locale", "referrer.page"];
}
