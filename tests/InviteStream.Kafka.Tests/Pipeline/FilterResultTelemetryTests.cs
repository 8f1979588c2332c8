using InviteStream.Core.Attributes;
using InviteStream.Core.Campaigns;
using InviteStream.Core.Events;
using InviteStream.Core.Filters;
using InviteStream.Kafka.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace InviteStream.Kafka.Tests.Pipeline;

[TestFixture]
public sealed class FilterResultTelemetryTests
{
    private static readonly Campaign Guide = new(
        "guide", "guide", true, "realtime", [], [new CampaignAction(CampaignAction.WebchatInvite, 1, null)], new Throttling(1, 60, 10), default);

    private static readonly Filter Churn = new("external.churn_probability", FilterOperator.GreaterThan, AttributeValue.FromFloat(0.72), AttributeDataType.Float);

    private static readonly BehavioralEvent Event = new("e1", "c1", "web", DateTimeOffset.UnixEpoch, new Dictionary<string, AttributeValue>(), null);

    [Test]
    public void A_type_mismatch_is_logged_at_once_then_at_most_once_a_minute_with_the_count_meanwhile()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 21, 14, 0, 0, TimeSpan.Zero));
        var logger = new CapturingLogger<FilterResultTelemetry>();
        using var statistics = new PipelineStatistics();
        var telemetry = new FilterResultTelemetry(statistics, time, logger);
        var mismatch = FilterResult.TypeMismatch(AttributeDataType.Float, AttributeKind.String);

        telemetry.Report(Event, Guide, Churn, mismatch);
        Assert.That(logger.Messages, Has.Count.EqualTo(1));
        Assert.That(logger.Messages[0], Does.Contain("external.churn_probability arrives as string but the filter expects float (1 since"));

        for (var i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromSeconds(10));
            telemetry.Report(Event, Guide, Churn, mismatch);
        }

        Assert.That(logger.Messages, Has.Count.EqualTo(1), "sampled: nothing more within the minute");

        time.Advance(TimeSpan.FromSeconds(11));
        telemetry.Report(Event, Guide, Churn, mismatch);
        Assert.That(logger.Messages, Has.Count.EqualTo(2));
        Assert.That(logger.Messages[1], Does.Contain("(6 since the last report)"));
    }

    [Test]
    public void A_plain_non_match_is_counted_but_never_logged()
    {
        var logger = new CapturingLogger<FilterResultTelemetry>();
        using var statistics = new PipelineStatistics();
        new FilterResultTelemetry(statistics, new FakeTimeProvider(), logger).Report(Event, Guide, Churn, FilterResult.NotMatched);
        Assert.That(logger.Messages, Is.Empty);
    }

    [Test]
    public void A_missing_attribute_is_logged_naming_the_attribute()
    {
        var logger = new CapturingLogger<FilterResultTelemetry>();
        using var statistics = new PipelineStatistics();
        new FilterResultTelemetry(statistics, new FakeTimeProvider(), logger).Report(Event, Guide, Churn, FilterResult.Missing);
        Assert.That(logger.Messages.Single(), Does.Contain("Campaign guide: events lack attribute external.churn_probability"));
    }
}
