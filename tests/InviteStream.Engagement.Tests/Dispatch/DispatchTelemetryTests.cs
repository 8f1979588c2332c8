using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using InviteStream.Core.Dispatch;
using InviteStream.Simulator;

namespace InviteStream.Engagement.Tests.Dispatch;

/// <summary>The dispatch pipeline comes from Polly's registry, so its strategies report what they do on Polly's meter and log.</summary>
[TestFixture]
public sealed class DispatchTelemetryTests
{
    [Test]
    public async Task Each_retry_is_a_Polly_OnRetry_event_on_the_meter_and_in_the_log_named_after_the_dispatch_pipeline()
    {
        var metered = new ConcurrentQueue<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument is { Meter.Name: "Polly", Name: "resilience.polly.strategy.events" })
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, _, tags, _) =>
        {
            var tagged = new Dictionary<string, object?>();
            foreach (var (key, value) in tags)
            {
                tagged[key] = value;
            }

            if (Equals(tagged["event.name"], "OnRetry"))
            {
                metered.Enqueue($"{tagged["pipeline.name"]}/{tagged["strategy.name"]}");
            }
        });
        listener.Start();
        await using var harness = await DispatchHarness.StartAsync(faults: new SimulatorFaults { FailNext = 2, ErrorStatus = 503 });

        var result = await harness.Dispatcher.DispatchAsync(harness.Request("ext:retried"), CancellationToken.None);

        var logged = harness.Logs.GetSnapshot()
            .Where(r => r.Category == "Polly" && r.GetStructuredStateValue("EventName") == "OnRetry")
            .Select(r => $"{r.Level} {r.GetStructuredStateValue("PipelineName")}/{r.GetStructuredStateValue("StrategyName")}")
            .ToList();
        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo(DispatchResult.Delivered));
            Assert.That(metered, Is.EqualTo(new[] { "engagement-dispatch/Retry", "engagement-dispatch/Retry" }));
            Assert.That(logged, Is.EqualTo(new[] { "Warning engagement-dispatch/Retry", "Warning engagement-dispatch/Retry" }));
        });
    }
}
