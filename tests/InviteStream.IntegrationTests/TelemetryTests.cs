using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using InviteStream.Kafka.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace InviteStream.IntegrationTests;

/// <summary>Spans continue the producer's trace into the outcome, and the metrics count what happened.</summary>
[TestFixture]
public sealed class TelemetryTests
{
    [Test]
    public async Task The_outcome_span_continues_the_events_traceparent_and_the_metrics_count_each_outcome()
    {
        await using var harness = await PipelineHarness.StartAsync(2, TestCampaigns.Guide(cooldownSeconds: 3600));
        var now = TimeProvider.System.GetUtcNow();
        var parents = new Dictionary<string, ActivityContext>();
        var messages = new List<Message<string?, byte[]?>>();
        foreach (var (eventId, contact, churn) in new[] { ("e1", "ext:alice", 0.9), ("e2", "ext:alice", 0.95), ("e3", "ext:bob", 0.1) })
        {
            var parent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
            parents[eventId] = parent;
            messages.Add(new Message<string?, byte[]?>
            {
                Key = contact,
                Value = Encoding.UTF8.GetBytes(TestEvents.Event(eventId, contact, now, churn)),
                Headers = new Headers { { "traceparent", Encoding.ASCII.GetBytes($"00-{parent.TraceId}-{parent.SpanId}-01") } },
            });
        }

        messages.Add(new Message<string?, byte[]?> { Key = "ext:carol", Value = "{not json"u8.ToArray() });
        await harness.ProduceRawAsync(messages);

        var spans = new List<Activity>();
        var exported = new List<MetricSnapshot>();
        List<MetricSnapshot> metrics;
        HashSet<string> measuredBefore, measuredAfter;
        using (var worker = harness.BuildWorker(
            new Dictionary<string, string?> { ["Telemetry:Tracing"] = "true" },
            services: s =>
            {
                s.ConfigureOpenTelemetryTracerProvider(b => b.AddInMemoryExporter(spans));
                s.ConfigureOpenTelemetryMeterProvider(b => b.AddInMemoryExporter(exported));
            }))
        {
            await worker.StartAsync();
            await PipelineHarness.WaitUntilAsync(() => PipelineHarness.StatisticsOf(worker).Finished >= 4, TimeSpan.FromSeconds(60), "all four records are handled");
            // Each loop measures the partitions it has read from: every input partition, and those of
            // the internal topics (triggers, results, partial counts) that carried records.
            await PipelineHarness.WaitUntilAsync(
                () => PipelineHarness.StatisticsOf(worker).Lag is { } lag
                    && lag.Keys.Count(p => p.Topic == harness.InputTopic) == harness.Partitions
                    && lag.Keys.Any(p => p.Topic == $"{harness.GroupId}.stats-partials")
                    && lag.Values.All(l => l == 0),
                TimeSpan.FromSeconds(20),
                "the consumer lag is measured, every partition read to the end");
            // A loop may start measuring one more internal partition while the export runs: what is
            // exported lies between what was measured before and after it.
            measuredBefore = [.. PipelineHarness.StatisticsOf(worker).Lag.Keys.Select(p => $"{p.Topic}/{p.Partition.Value}")];
            worker.Services.GetRequiredService<MeterProvider>().ForceFlush();
            measuredAfter = [.. PipelineHarness.StatisticsOf(worker).Lag.Keys.Select(p => $"{p.Topic}/{p.Partition.Value}")];

            // As collected while running: the export at shutdown sees the partitions already given up.
            metrics = [.. exported];
            await worker.StopAsync();
        }

        var pipelineSpans = spans.Where(s => s.Source.Name == PipelineTracing.SourceName).ToList();
        List<Activity> On(string topic) => [.. pipelineSpans.Where(s => (string?)s.GetTagItem("messaging.destination.name") == topic)];
        var eventSpans = On(harness.InputTopic).Where(s => s.GetTagItem("invitestream.event_id") is not null).ToDictionary(s => (string)s.GetTagItem("invitestream.event_id")!);
        var dispatchSpan = On($"{harness.GroupId}.triggers").Single();
        var settlementSpan = On($"{harness.GroupId}.results").Single();
        Assert.That(eventSpans.Keys, Is.EquivalentTo(new[] { "e1", "e2", "e3" }));
        Assert.That(pipelineSpans.Select(s => s.GetTagItem("invitestream.dead_letter.reason")).OfType<string>(), Is.EqualTo(new[] { "invalid_json" }), "the bad record has a span too");
        Assert.Multiple(() =>
        {
            foreach (var (eventId, parent) in parents)
            {
                Assert.That(eventSpans[eventId].TraceId, Is.EqualTo(parent.TraceId), $"{eventId} continues its producer's trace");
                Assert.That(eventSpans[eventId].ParentSpanId, Is.EqualTo(parent.SpanId), $"{eventId}'s span is a child of the producer's span");
                Assert.That(eventSpans[eventId].Kind, Is.EqualTo(ActivityKind.Consumer));
            }

            Assert.That(eventSpans["e1"].GetTagItem("invitestream.outcome"), Is.EqualTo("pending"), "the invite went to the dispatch stage");
            Assert.That(eventSpans["e2"].GetTagItem("invitestream.outcome"), Is.EqualTo("suppressed"));
            Assert.That(eventSpans["e3"].GetTagItem("invitestream.outcome"), Is.EqualTo("no_match"));

            // The invite's way through the topology stays in the event's trace: dispatch, then settlement.
            Assert.That(dispatchSpan.ParentSpanId, Is.EqualTo(eventSpans["e1"].SpanId));
            Assert.That(settlementSpan.TraceId, Is.EqualTo(parents["e1"].TraceId));
            Assert.That(settlementSpan.ParentSpanId, Is.EqualTo(dispatchSpan.SpanId));
            Assert.That(settlementSpan.GetTagItem("invitestream.outcome"), Is.EqualTo("delivered"));
            Assert.That(settlementSpan.GetTagItem("invitestream.event_id"), Is.EqualTo("e1"));
            Assert.That(settlementSpan.GetTagItem("invitestream.correlation_id"), Is.EqualTo("corr_e1"));
            Assert.That((string)settlementSpan.GetTagItem("invitestream.request_id")!, Does.StartWith(harness.InputTopic + ":"));
            var triggers = spans.Where(s => s.Kind == ActivityKind.Client && s.GetTagItem("url.full") is string url && url.Contains("/trigger", StringComparison.Ordinal)).ToList();
            Assert.That(triggers, Has.Count.EqualTo(1), "one trigger POST, for the delivered invite");
            Assert.That(triggers.Single().TraceId, Is.EqualTo(parents["e1"].TraceId), "the POST is in the event's trace");
            Assert.That(triggers.Single().ParentSpanId, Is.EqualTo(dispatchSpan.SpanId));
        });

        var delivered = harness.ReadAll(harness.OutcomeTopic).Single(r => PipelineHarness.Text(r.Message.Value).Contains("\"eventId\":\"e1\"", StringComparison.Ordinal));
        Assert.That(
            PipelineHarness.Text(delivered.Message.Headers.GetLastBytes("traceparent")),
            Is.EqualTo($"00-{settlementSpan.TraceId}-{settlementSpan.SpanId}-01"),
            "the outcome carries the settlement's span as its parent");

        Assert.Multiple(() =>
        {
            Assert.That(Sum(metrics, "invitestream.events.consumed"), Is.EqualTo(4));
            Assert.That(Sum(metrics, "invitestream.outcomes", ("status", "delivered")), Is.EqualTo(1));
            Assert.That(Sum(metrics, "invitestream.outcomes", ("status", "suppressed")), Is.EqualTo(1));
            Assert.That(Sum(metrics, "invitestream.dlq.records", ("reason", "invalid_json")), Is.EqualTo(1));
            Assert.That(Sum(metrics, "invitestream.dispatch.http.responses", ("http.response.status_code", 200)), Is.EqualTo(1));
            Assert.That(HistogramCount(metrics, "invitestream.dispatch.duration"), Is.EqualTo(1));
            Assert.That(HistogramCount(metrics, "resilience.polly.strategy.attempt.duration", ("pipeline.name", "engagement-dispatch")), Is.EqualTo(1), "Polly's meter: the one trigger took one attempt");
            Assert.That(HistogramCount(metrics, "invitestream.limiter.wait.duration", ("limiter", "campaign")), Is.EqualTo(1));
            Assert.That(HistogramCount(metrics, "invitestream.limiter.wait.duration", ("limiter", "api")), Is.EqualTo(1));
            Assert.That(HistogramCount(metrics, "invitestream.state.restore.duration"), Is.EqualTo(harness.Partitions));
            Assert.That(Gauge(metrics, "invitestream.state.contacts"), Is.EqualTo(1), "alice is held in state");
            Assert.That(Gauge(metrics, "invitestream.limiter.available", ("limiter", "api")), Is.EqualTo(1_000_000 - 1));
            var lagPoints = Points(metrics, "invitestream.consumer.lag");
            var exportedPartitions = lagPoints.Select(p => $"{TagValue(p, "topic")}/{TagValue(p, "partition")}").ToList();
            Assert.That(exportedPartitions, Is.Unique.And.SupersetOf(measuredBefore).And.SubsetOf(measuredAfter), "every partition measured (the input's, and the internal topics' that carried records)");
            // The stats loop's partials keep coming on a timer; every other topic is done with.
            Assert.That(
                lagPoints.Where(p => TagValue(p, "topic") != $"{harness.GroupId}.stats-partials").Select(p => p.GetGaugeLastValueLong()),
                Is.Not.Empty.And.All.EqualTo(0),
                "every partition of the input and of the dispatch topics read to the end");
            Assert.That(Sum(metrics, "invitestream.filter.results"), Is.GreaterThan(0));
        });
    }

    private static List<MetricPoint> Points(List<MetricSnapshot> metrics, string name, params (string Key, object Value)[] tags)
    {
        // The last export holds the cumulative totals.
        var snapshot = metrics.LastOrDefault(m => m.Name == name);
        Assert.That(snapshot, Is.Not.Null, $"metric {name} was recorded");
        return [.. snapshot!.MetricPoints.Where(p => tags.All(t => HasTag(p, t.Key, t.Value)))];
    }

    private static long Sum(List<MetricSnapshot> metrics, string name, params (string Key, object Value)[] tags) =>
        Points(metrics, name, tags).Sum(p => p.GetSumLong());

    private static long HistogramCount(List<MetricSnapshot> metrics, string name, params (string Key, object Value)[] tags) =>
        Points(metrics, name, tags).Sum(p => p.GetHistogramCount());

    private static long Gauge(List<MetricSnapshot> metrics, string name, params (string Key, object Value)[] tags) =>
        Points(metrics, name, tags).Sum(p => p.GetGaugeLastValueLong());

    private static string? TagValue(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    private static bool HasTag(MetricPoint point, string key, object value)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key && Equals(Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture), Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)))
            {
                return true;
            }
        }

        return false;
    }
}
