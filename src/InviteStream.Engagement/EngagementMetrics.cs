using System.Diagnostics;
using System.Diagnostics.Metrics;
using InviteStream.Engagement.RateLimiting;

namespace InviteStream.Engagement;

/// <summary>
/// Metrics and spans of the dispatch side: how long invites wait for permits, what is left of each
/// budget, how long dispatches take and what the API answered.
/// </summary>
public sealed class EngagementMetrics : IDisposable
{
    public const string MeterName = "InviteStream.Engagement";
    public const string SourceName = "InviteStream.Engagement";

    /// <summary>Polly's meter, where the dispatch pipeline reports retries, circuit changes and timeouts (<c>resilience.polly.*</c>).</summary>
    public const string ResilienceMeterName = "Polly";

    internal static readonly ActivitySource Source = new(SourceName);

    private readonly Meter _meter;
    private readonly Histogram<double> _limiterWait;
    private readonly Histogram<double> _dispatch;
    private readonly Counter<long> _responses;

    public EngagementMetrics(ApiBudget budget, IMeterFactory? meterFactory = null, DispatchHealth? health = null)
    {
        ArgumentNullException.ThrowIfNull(budget);
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _limiterWait = _meter.CreateHistogram<double>("invitestream.limiter.wait.duration", "ms", "Time an invite waited for a rate-limit permit, by limiter");
        _dispatch = _meter.CreateHistogram<double>("invitestream.dispatch.duration", "ms", "From asking for permits to the dispatch result, by result");
        _responses = _meter.CreateCounter<long>("invitestream.dispatch.http.responses", "{response}", "Engagement API responses, by HTTP status code");
        _meter.CreateObservableGauge(
            "invitestream.limiter.available",
            () => new Measurement<int>(budget.Limiter.Available, new KeyValuePair<string, object?>("limiter", "api")),
            "{permit}",
            "Permits of the engagement API's budget that could be granted right now");
        if (health is not null)
        {
            _meter.CreateObservableGauge(
                "invitestream.dispatch.circuit.open", () => health.CircuitOpenSince is null ? 0 : 1, "{circuit}", "1 while the engagement API's circuit is open (invites fail at once), else 0");
        }
    }

    internal void LimiterWaited(string limiter, double milliseconds) =>
        _limiterWait.Record(milliseconds, new KeyValuePair<string, object?>("limiter", limiter));

    internal void Dispatched(string status, double milliseconds) =>
        _dispatch.Record(milliseconds, new KeyValuePair<string, object?>("status", status));

    internal void Responded(int statusCode) =>
        _responses.Add(1, new KeyValuePair<string, object?>("http.response.status_code", statusCode));

    public void Dispose() => _meter.Dispose();
}
