using InviteStream.Engagement;
using InviteStream.Kafka.Pipeline;
using InviteStream.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace InviteStream.IntegrationTests;

/// <summary>
/// The health checks as the host registers them, on a fake clock: which probe runs which check, and
/// the thresholds of <c>Health:MaxPollStall</c> and <c>Health:MaxCircuitOpen</c> (60 s by default).
/// </summary>
[TestFixture]
public sealed class HealthCheckTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task Liveness_fails_naming_the_poll_loop_once_it_has_not_turned_for_more_than_MaxPollStall()
    {
        var time = new FakeTimeProvider(Start);
        var pipeline = new PipelineHealth(time);
        using var services = Operations(time, pipeline, new DispatchHealth());
        var checks = services.GetRequiredService<HealthCheckService>();

        time.Advance(TimeSpan.FromSeconds(60));
        var atTheLimit = await checks.CheckHealthAsync(Tagged(HealthTags.Live));
        time.Advance(TimeSpan.FromSeconds(1));
        var stalled = await checks.CheckHealthAsync(Tagged(HealthTags.Live));
        pipeline.Polled("test");
        var turning = await checks.CheckHealthAsync(Tagged(HealthTags.Live));

        Assert.Multiple(() =>
        {
            Assert.That(atTheLimit.Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(stalled.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(stalled.Entries["poll-loop"].Description, Is.EqualTo("poll loop stalled for 61 s"));
            Assert.That(stalled.Entries.Keys, Is.EqualTo(new[] { "pipeline", "poll-loop" }), "liveness runs only the live checks");
            Assert.That(turning.Status, Is.EqualTo(HealthStatus.Healthy));
        });
    }

    [Test]
    public async Task Readiness_fails_once_the_engagement_circuit_has_been_open_for_more_than_MaxCircuitOpen()
    {
        var time = new FakeTimeProvider(Start);
        var pipeline = new PipelineHealth(time);
        var dispatch = new DispatchHealth();
        using var services = Operations(time, pipeline, dispatch);
        var checks = services.GetRequiredService<HealthCheckService>();

        var unassigned = await checks.CheckHealthAsync(Tagged(HealthTags.Ready));
        pipeline.Owned(4);
        dispatch.Opened(time.GetUtcNow());
        time.Advance(TimeSpan.FromSeconds(60));
        var brieflyOpen = await checks.CheckHealthAsync(Tagged(HealthTags.Ready));
        time.Advance(TimeSpan.FromSeconds(1));
        var longOpen = await checks.CheckHealthAsync(Tagged(HealthTags.Ready));

        Assert.Multiple(() =>
        {
            Assert.That(unassigned.Entries["partitions"].Description, Is.EqualTo("no partitions assigned and restored yet"));
            Assert.That(brieflyOpen.Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(brieflyOpen.Entries["partitions"].Description, Is.EqualTo("4 partition(s)"));
            Assert.That(longOpen.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(longOpen.Entries["engagement-circuit"].Description, Is.EqualTo("engagement API circuit open since 2026-03-01T12:00:00.0000000+00:00"));
            Assert.That(longOpen.Entries.Keys, Is.EqualTo(new[] { "partitions", "kafka-brokers", "engagement-circuit" }), "readiness runs only the ready checks");
        });
    }

    private static Func<HealthCheckRegistration, bool> Tagged(string tag) => check => check.Tags.Contains(tag);

    private static ServiceProvider Operations(TimeProvider time, PipelineHealth pipeline, DispatchHealth dispatch)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton(pipeline);
        builder.Services.AddSingleton(dispatch);
        builder.AddOperations();
        return builder.Services.BuildServiceProvider();
    }
}
