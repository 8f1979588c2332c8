using InviteStream.Kafka.Pipeline;
using Microsoft.Extensions.Logging.Testing;

namespace InviteStream.IntegrationTests;

[TestFixture]
public sealed class SecretHandlingTests
{
    [Test]
    public async Task The_client_secret_appears_in_no_log_line_and_no_outcome_of_a_full_run()
    {
        await using var harness = await PipelineHarness.StartAsync(2, TestCampaigns.Guide());
        var now = TimeProvider.System.GetUtcNow();
        await harness.ProduceAsync(
        [
            ("ext:a", TestEvents.Event("a1", "ext:a", now, churn: 0.9)),
            ("ext:b", TestEvents.Event("b1", "ext:b", now, churn: "0.9")),
            ("ext:c", "{broken"),
        ]);
        var logs = new FakeLogCollector();
        var trace = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Trace", ["Pipeline:EmitNotEligible"] = "true" };

        using (var worker = harness.BuildWorker(trace, new FakeLoggerProvider(logs)))
        {
            await worker.StartAsync();
            await PipelineHarness.WaitUntilAsync(() => PipelineHarness.StatisticsOf(worker).Finished >= 3, TimeSpan.FromSeconds(60), "the first run decides everything");
            await worker.StopAsync();
        }

        // A second group with a wrong secret: every invite fails authentication.
        await harness.ProduceAsync([("ext:d", TestEvents.Event("d1", "ext:d", TimeProvider.System.GetUtcNow(), churn: 0.95))]);
        harness.CreateChangelogFor(harness.GroupId + "-wrong-secret");
        var wrongSecret = new Dictionary<string, string?>(trace)
        {
            ["Kafka:GroupId"] = harness.GroupId + "-wrong-secret",
            ["Engagement:ClientSecret"] = "s3cr3t-for-tests-but-wrong",
        };
        using (var worker = harness.BuildWorker(wrongSecret, new FakeLoggerProvider(logs)))
        {
            await worker.StartAsync();
            await PipelineHarness.WaitUntilAsync(() => PipelineHarness.StatisticsOf(worker).Finished >= 4, TimeSpan.FromSeconds(60), "the second run decides everything");
            await worker.StopAsync();
        }

        var outcomes = harness.ReadAll(harness.OutcomeTopic).Select(r => PipelineHarness.Text(r.Message.Value)).ToList();
        Assert.That(outcomes, Has.Some.Contain("\"status\":\"delivered\""));
        Assert.That(outcomes, Has.Some.Contain("auth_failed:http_401"));
        var lines = logs.GetSnapshot().Select(r => $"{r.Category} {r.Message} {r.Exception} {r.StructuredState}").ToList();
        Assert.That(lines, Has.Count.GreaterThan(10), "trace logging captured the run");
        Assert.That(lines, Has.None.Contain("s3cr3t-for-tests"));
        var basic = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("tests:s3cr3t-for-tests"));
        Assert.That(lines, Has.None.Contain(basic[..16]), "nor its Basic authorization form");
        Assert.That(outcomes, Has.None.Contain("s3cr3t-for-tests"));
    }
}
