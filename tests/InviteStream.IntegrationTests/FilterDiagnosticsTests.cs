using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using InviteStream.Kafka.Pipeline;

namespace InviteStream.IntegrationTests;

/// <summary>The guide's silent failures (numbers as strings, mismatched keys) are loud here.</summary>
[TestFixture]
public sealed class FilterDiagnosticsTests
{
    [Test]
    public async Task A_number_sent_as_a_string_and_a_missing_key_reach_the_outcome_and_the_filter_metric()
    {
        await using var harness = await PipelineHarness.StartAsync(1, TestCampaigns.Guide());
        var now = TimeProvider.System.GetUtcNow();
        await harness.ProduceAsync(
        [
            ("ext:str", TestEvents.Event("s1", "ext:str", now, churn: "0.87")),
            ("ext:nokey", TestEvents.Event("n1", "ext:nokey", now, churn: 0.9, dwell: null)),
        ]);

        var measurements = new ConcurrentBag<(long Value, string Campaign, string Attribute, string Result)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PipelineStatistics.MeterName && instrument.Name == "invitestream.filter.results")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var named = new Dictionary<string, string>();
            foreach (var tag in tags)
            {
                named[tag.Key] = (string)tag.Value!;
            }

            measurements.Add((value, named["campaign"], named["attribute"], named["result"]));
        });
        listener.Start();

        using var worker = harness.BuildWorker(new Dictionary<string, string?> { ["Pipeline:EmitNotEligible"] = "true" });
        await worker.StartAsync();
        await PipelineHarness.WaitUntilAsync(() => PipelineHarness.StatisticsOf(worker).Finished >= 2, TimeSpan.FromSeconds(60), "both events are decided");

        // The counter is read when metrics are collected: each combination's total so far.
        listener.RecordObservableInstruments();
        await worker.StopAsync();

        var reasons = harness.ReadOutcomes().ToDictionary(o => o.GetProperty("eventId").GetString()!, o => o.GetProperty("reason").GetString());
        Assert.Multiple(() =>
        {
            Assert.That(reasons["s1"], Is.EqualTo($"{TestCampaigns.GuideCampaignId}:external.churn_probability=type_mismatch(expected=float,actual=string)"));
            Assert.That(reasons["n1"], Is.EqualTo($"{TestCampaigns.GuideCampaignId}:session.dwell_time_seconds=missing"));
            Assert.That(measurements, Does.Contain((1L, TestCampaigns.GuideCampaignId, "external.churn_probability", "type_mismatch")));
            Assert.That(measurements, Does.Contain((1L, TestCampaigns.GuideCampaignId, "session.dwell_time_seconds", "missing")));
        });
    }
}
