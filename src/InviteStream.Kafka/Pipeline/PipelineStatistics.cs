using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using InviteStream.Core.Campaigns;
using InviteStream.Core.Filters;
using InviteStream.Core.Outcomes;
using InviteStream.Kafka.State;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// Running totals of the pipeline, for the demo's progress line and summary, and exported as
/// <c>invitestream.*</c> metrics.
/// </summary>
public sealed class PipelineStatistics : IDisposable
{
    public const string MeterName = "InviteStream.Pipeline";

    private readonly long[] _outcomes = new long[Enum.GetValues<OutcomeStatus>().Length];
    private readonly Meter _meter;
    private readonly Counter<long> _outcomeCounter;
    private readonly Counter<long> _deadLetters;
    private readonly Counter<long> _statsDropped;
    // Every filter that rejects an event is counted, for most events several: a Counter's three-tag
    // Add per count took a tenth of the deciding threads' time in a no-match profile, a cell per
    // combination read when metrics are collected does not.
    private readonly ConcurrentDictionary<(string Campaign, string Attribute, FilterResultKind Result), StrongBox<long>> _filterResults = new();
    private readonly Histogram<double> _latency;
    private readonly Histogram<double> _restore;
    private readonly Counter<long> _rekeyedCounter;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyDictionary<Confluent.Kafka.TopicPartition, long>> _lag = new(StringComparer.Ordinal);
    private long _eventsRead;
    private long _rekeyed;
    private long _noMatch;
    private long _deadLettered;

    public PipelineStatistics(IMeterFactory? meterFactory = null, PartitionStates? states = null, PipelineHealth? health = null, CampaignSet? campaigns = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        if (campaigns is not null)
        {
            // So a dashboard can draw each campaign's invites against its cap.
            _meter.CreateObservableGauge(
                "invitestream.campaign.cap",
                () => campaigns.Campaigns.Where(c => c.Enabled).Select(c => new Measurement<int>(c.Throttling.MaxInvitesPerMinute, new KeyValuePair<string, object?>("campaign", c.Id))),
                "{invite}",
                "Each enabled campaign's maxInvitesPerMinute");
        }

        if (health is not null)
        {
            // What the liveness probe looks at, for an alert before the probe restarts the pod.
            _meter.CreateObservableGauge(
                "invitestream.poll.age", () => health.SinceLastPoll.TotalSeconds, "s", "Seconds since the slowest of the worker's poll loops last turned");
        }

        _meter.CreateObservableGauge("invitestream.consumer.lag", ObserveLag, "{record}", "Records between the consumer's position and the partition's end, by partition");
        if (states is not null)
        {
            _meter.CreateObservableGauge(
                "invitestream.state.contacts", () => states.Owned.Sum(s => (long)s.Value.Count), "{contact}", "Contacts held in the state of the partitions this instance owns");
        }

        // Read from the count kept anyway, not added to once per event as well.
        _meter.CreateObservableCounter("invitestream.events.consumed", () => EventsRead, "{event}", "Events read from the input topic");
        _outcomeCounter = _meter.CreateCounter<long>("invitestream.outcomes", "{outcome}", "Outcomes published, by status and campaign");
        _statsDropped = _meter.CreateCounter<long>(
            "invitestream.stats.dropped", "{count}", "Outcomes of minutes closed longer than Pipeline:StatsRetention ago, not added to the stats topic");
        _deadLetters = _meter.CreateCounter<long>("invitestream.dlq.records", "{record}", "Records sent to the dead-letter topic, by reason");
        _meter.CreateObservableCounter(
            "invitestream.filter.results", ObserveFilterResults, "{result}", "Filters that did not match, by campaign, attribute and result (not_matched, missing, type_mismatch)");
        _rekeyedCounter = _meter.CreateCounter<long>(
            "invitestream.rekeyed", "{record}", "Input records re-keyed into their contact's home partition of the repartition topic, by reason");
        _restore = _meter.CreateHistogram<double>("invitestream.state.restore.duration", "ms", "Time to restore one partition's contact state from the changelog");
        _latency = _meter.CreateHistogram<double>("invitestream.decision.duration", "ms", "From receipt of an event to its final decision");
    }

    public long EventsRead => Interlocked.Read(ref _eventsRead);

    public long NoMatch => Interlocked.Read(ref _noMatch);

    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    /// <summary>Records re-keyed into their contact's home partition of the repartition topic.</summary>
    public long RekeyedRecords => Interlocked.Read(ref _rekeyed);

    /// <summary>Events fully handled: an outcome published, sent to the DLQ, or matched no campaign.</summary>
    public long Finished
    {
        get
        {
            var finished = NoMatch + DeadLettered;
            for (var i = 0; i < _outcomes.Length; i++)
            {
                finished += Interlocked.Read(ref _outcomes[i]);
            }

            return finished;
        }
    }

    public LatencyHistogram DecisionLatency { get; } = new();

    public long Outcomes(OutcomeStatus status) => Interlocked.Read(ref _outcomes[(int)status]);

    internal void EventRead()
    {
        Interlocked.Increment(ref _eventsRead);
    }

    internal void NoMatchDecided(double latencyMs)
    {
        Interlocked.Increment(ref _noMatch);
        DecisionLatency.Record(latencyMs);
    }

    internal void StatsDropped(long outcomes) => _statsDropped.Add(outcomes);

    internal void OutcomePublished(InviteOutcome outcome)
    {
        Interlocked.Increment(ref _outcomes[(int)outcome.Status]);
        DecisionLatency.Record(outcome.DecisionLatencyMs);
        _latency.Record(outcome.DecisionLatencyMs);
        _outcomeCounter.Add(
            1,
            new KeyValuePair<string, object?>("status", OutcomeStatusNames.ToWire(outcome.Status)),
            new KeyValuePair<string, object?>("campaign", outcome.CampaignId ?? ""));
    }

    internal void FilterResult(string campaignId, string attributeName, FilterResultKind result)
    {
        var count = _filterResults.GetOrAdd((campaignId, attributeName, result), static _ => new StrongBox<long>());
        Interlocked.Increment(ref count.Value);
    }

    private IEnumerable<Measurement<long>> ObserveFilterResults()
    {
        foreach (var ((campaign, attribute, result), count) in _filterResults)
        {
            yield return new Measurement<long>(
                Interlocked.Read(ref count.Value),
                new KeyValuePair<string, object?>("campaign", campaign),
                new KeyValuePair<string, object?>("attribute", attribute),
                new KeyValuePair<string, object?>("result", FilterResultKindNames.ToWire(result)));
        }
    }

    internal void Rekeyed(string reason)
    {
        Interlocked.Increment(ref _rekeyed);
        _rekeyedCounter.Add(1, new KeyValuePair<string, object?>("reason", reason));
    }

    /// <summary>The lag of every partition a loop reads, replacing its previous figures (revoked partitions disappear).</summary>
    internal void ConsumerLag(string loop, IReadOnlyDictionary<Confluent.Kafka.TopicPartition, long> lag) => _lag[loop] = lag;

    public IReadOnlyDictionary<Confluent.Kafka.TopicPartition, long> Lag => _lag.Values.SelectMany(l => l).ToDictionary();

    private IEnumerable<Measurement<long>> ObserveLag()
    {
        foreach (var (partition, lag) in Lag)
        {
            yield return new Measurement<long>(
                lag,
                new KeyValuePair<string, object?>("topic", partition.Topic),
                new KeyValuePair<string, object?>("partition", partition.Partition.Value));
        }
    }

    internal void Restored(double milliseconds) => _restore.Record(milliseconds);

    internal void DeadLetterPublished(string reason)
    {
        Interlocked.Increment(ref _deadLettered);
        _deadLetters.Add(1, new KeyValuePair<string, object?>("reason", ReasonFamily(reason)));
    }

    public void Dispose() => _meter.Dispose();

    // "unsupported_attribute_type:foo" -> "unsupported_attribute_type": attribute names would explode label cardinality.
    private static string ReasonFamily(string reason)
    {
        var colon = reason.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? reason : reason[..colon];
    }
}
