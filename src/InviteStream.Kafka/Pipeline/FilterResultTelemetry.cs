using System.Collections.Concurrent;
using System.Diagnostics;
using InviteStream.Core.Campaigns;
using InviteStream.Core.Decisions;
using InviteStream.Core.Events;
using InviteStream.Core.Filters;
using Microsoft.Extensions.Logging;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// Makes the guide's silent failures loud: every non-matching filter is counted by campaign,
/// attribute and result, and a missing attribute or a type mismatch is logged as a warning the
/// first time it is seen and then at most once a minute per campaign and attribute, with how
/// often it happened meanwhile.
/// </summary>
internal sealed partial class FilterResultTelemetry(PipelineStatistics statistics, TimeProvider time, ILogger<FilterResultTelemetry> logger)
    : IFilterResultSink
{
    private static readonly TimeSpan LogInterval = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<(string Campaign, string Attribute, FilterResultKind Kind), Sample> _samples = new();

    public void Report(BehavioralEvent behavioralEvent, Campaign campaign, Filter filter, FilterResult result)
    {
        statistics.FilterResult(campaign.Id, filter.AttributeName, result.Kind);
        if (result.Kind is FilterResultKind.NotMatched or FilterResultKind.Matched || !logger.IsEnabled(LogLevel.Warning))
        {
            return;
        }

        var sample = _samples.GetOrAdd((campaign.Id, filter.AttributeName, result.Kind), static _ => new Sample());
        var now = time.GetTimestamp();
        var seen = Interlocked.Increment(ref sample.SinceLastLog);
        var last = Volatile.Read(ref sample.LastLoggedAt);
        if (last != 0 && time.GetElapsedTime(last, now) < LogInterval)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref sample.LastLoggedAt, now, last) != last)
        {
            return;
        }

        Interlocked.Add(ref sample.SinceLastLog, -seen);
        if (result.Kind == FilterResultKind.Missing)
        {
            LogMissing(campaign.Id, filter.AttributeName, seen);
        }
        else
        {
            LogTypeMismatch(campaign.Id, filter.AttributeName, DataTypeNames.ToWire(result.Expected), DataTypeNames.ToWire(result.Actual), seen);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "Campaign {CampaignId}: events lack attribute {AttributeName} ({Count} since the last report); check the producer's key names against the filter's attributeName")]
    private partial void LogMissing(string campaignId, string attributeName, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "Campaign {CampaignId}: attribute {AttributeName} arrives as {Actual} but the filter expects {Expected} ({Count} since the last report); send native JSON types")]
    private partial void LogTypeMismatch(string campaignId, string attributeName, string expected, string actual, long count);

    private sealed class Sample
    {
        public long LastLoggedAt;
        public long SinceLastLog;
    }
}
