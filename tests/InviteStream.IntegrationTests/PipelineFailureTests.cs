using System.Net;
using InviteStream.Commands;
using InviteStream.Core.Dispatch;
using InviteStream.Kafka;
using InviteStream.Kafka.Clients;
using InviteStream.Kafka.Publishing;
using InviteStream.Kafka.State;
using InviteStream.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace InviteStream.IntegrationTests;

/// <summary>
/// Every record ends somewhere: an unexpected failure while dispatching one invite settles it as
/// <c>failed</c> with the exception type, and the partition goes on; a part of the pipeline that dies stops the process with a non-zero exit,
/// and says so on <c>/healthz</c>.
/// </summary>
[TestFixture]
public sealed class PipelineFailureTests
{
    [Test]
    public async Task A_failure_while_dispatching_one_invite_settles_it_as_failed_with_the_exception_type_and_the_partition_goes_on()
    {
        await using var harness = await PipelineHarness.StartAsync(1, TestCampaigns.Guide());
        var now = TimeProvider.System.GetUtcNow();
        await harness.ProduceAsync(Enumerable.Range(0, 30).Select(i =>
        {
            var contact = i == 10 ? "ext:boom" : $"ext:ok{i}";
            return ((string?)contact, TestEvents.Event($"e{i}", contact, now, churn: 0.9));
        }));

        using var worker = harness.BuildWorker(decorate: services =>
        {
            var real = services.Last(s => s.ServiceType == typeof(IInviteDispatcher));
            services.AddSingleton<IInviteDispatcher>(sp => new ThrowingFor(
                "ext:boom", (IInviteDispatcher)(real.ImplementationFactory?.Invoke(sp) ?? ActivatorUtilities.CreateInstance(sp, real.ImplementationType!))));
        });
        await worker.StartAsync();
        await PipelineHarness.WaitUntilAsync(() => PipelineHarness.StatisticsOf(worker).Finished >= 30, TimeSpan.FromSeconds(60), "every event is handled");
        await worker.StopAsync();

        var outcomes = harness.ReadOutcomes();
        var failed = outcomes.Where(o => o.GetProperty("status").GetString() == "failed").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(harness.ReadAll(harness.DeadLetterTopic), Is.Empty, "the event itself was fine");
            Assert.That(failed, Has.Count.EqualTo(1));
            Assert.That(failed[0].GetProperty("reason").GetString(), Is.EqualTo("processing_error:InvalidOperationException"));
            Assert.That(failed[0].GetProperty("sourceOffset").GetInt64(), Is.EqualTo(10));
            Assert.That(outcomes.Count(o => o.GetProperty("status").GetString() == "delivered"), Is.EqualTo(29), "the events after it are decided");
            Assert.That(outcomes, Has.Count.EqualTo(30), "one outcome per event");
        });
    }

    [Test]
    public async Task A_settled_state_the_changelog_refuses_after_the_outcome_went_out_does_not_publish_the_outcome_again()
    {
        // The settled state names the campaign twice (the invite and the decision), the pending state
        // once: with this id only the settled state is too large for the changelog's producer.
        var campaignId = "guide-" + new string('x', 3_000);
        await using var harness = await PipelineHarness.StartAsync(1, TestCampaigns.Guide(id: campaignId));
        var now = TimeProvider.System.GetUtcNow();
        await harness.ProduceAsync(Enumerable.Range(0, 5).Select(i => ((string?)$"ext:big{i}", TestEvents.Event($"e{i}", $"ext:big{i}", now, churn: 0.9))));

        using var worker = harness.BuildWorker(decorate: services => services.AddSingleton(sp =>
        {
            var kafka = sp.GetRequiredService<IOptions<KafkaOptions>>();
            var config = KafkaClientConfig.Publisher(kafka.Value, PublisherRole.Contacts);
            config.MessageMaxBytes = 5_000;
            var publisher = new RecordPublisher(config, TimeProvider.System, NullLogger<RecordPublisher>.Instance);
            publisher.Start();
            return new ContactStateChangelog(kafka, publisher, sp.GetRequiredService<ChangelogReader>(), TimeProvider.System, NullLogger<ContactStateChangelog>.Instance);
        }));
        await worker.StartAsync();
        await PipelineHarness.WaitUntilAsync(() => PipelineHarness.StatisticsOf(worker).Finished >= 5, TimeSpan.FromSeconds(60), "every event has its outcome");
        await worker.StopAsync();

        var outcomes = harness.ReadOutcomes();
        var states = harness.ReadAll($"{harness.GroupId}.contact-state").Where(r => r.Message.Value is not null).Select(r => PipelineHarness.Text(r.Message.Value!)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(states, Has.Count.EqualTo(5).And.All.Contains("\"pending\""), "the pending states were written");
            Assert.That(states, Has.None.Contains("\"decisions\""), "no settled state reached the changelog");
            Assert.That(outcomes.Select(o => o.GetProperty("status").GetString()), Is.EqualTo(Enumerable.Repeat("delivered", 5)), "one outcome per event, not a second one settled as failed");
            Assert.That(outcomes.Select(o => o.GetProperty("sourceOffset").GetInt64()).Order(), Is.EqualTo(new long[] { 0, 1, 2, 3, 4 }));
        });
    }

    [Test]
    public async Task A_worker_whose_producer_is_fenced_reports_it_on_healthz_and_stops()
    {
        await using var harness = await PipelineHarness.StartAsync(2, TestCampaigns.Guide());
        using var fenced = harness.BuildWorker(new Dictionary<string, string?> { ["Kafka:Transactional"] = "true", ["Kafka:TransactionalId"] = $"{harness.GroupId}-tx" });
        await fenced.StartAsync();
        await PipelineHarness.WaitUntilAsync(() => fenced.Services.GetRequiredService<Kafka.Pipeline.PipelineHealth>().IsReady, TimeSpan.FromSeconds(30), "the worker is ready");

        await FenceTheNextTransactionAsync(harness);

        var stopping = fenced.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        await PipelineHarness.WaitUntilAsync(() => stopping.IsCancellationRequested, TimeSpan.FromSeconds(60), "the fenced worker stops itself");
        using var http = new HttpClient();
        using var alive = await http.GetAsync(new Uri(fenced.Services.GetRequiredService<HealthServer>().Address!, "/healthz"));
        var text = await alive.Content.ReadAsStringAsync();

        Assert.That(alive.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), text);
        Assert.That(text, Does.Contain("failed: KafkaException").And.Contain("fenced").IgnoreCase);
    }

    [Test]
    public async Task Run_exits_non_zero_when_the_pipeline_died()
    {
        await using var harness = await PipelineHarness.StartAsync(2, TestCampaigns.Guide());
        var campaigns = Directory.CreateTempSubdirectory("invitestream-fenced-");
        await File.WriteAllTextAsync(Path.Combine(campaigns.FullName, "guide.json"), TestCampaigns.Guide());
        using var output = new StringWriter();
        using var error = new StringWriter();
        try
        {
            var run = RunCommand.RunAsync(
                campaigns,
                [
                    $"--Kafka:BootstrapServers={harness.BootstrapServers}", $"--Kafka:GroupId={harness.GroupId}", $"--Kafka:StatsTopic={harness.StatsTopic}", $"--Kafka:InputTopic={harness.InputTopic}",
                    $"--Kafka:OutcomeTopic={harness.OutcomeTopic}", $"--Kafka:DeadLetterTopic={harness.DeadLetterTopic}", "--Kafka:GroupProtocol=Consumer",
                    "--Kafka:Transactional=true", $"--Kafka:TransactionalId={harness.GroupId}-tx",
                    $"--Engagement:BaseUrl={harness.Simulator.BaseUrl}", "--Engagement:ClientId=tests", "--Engagement:ClientSecret=s3cr3t-for-tests",
                    "--Health:Host=127.0.0.1", "--Health:Port=0", "--Logging:LogLevel:Default=Warning",
                ],
                output,
                error,
                CancellationToken.None);
            await PipelineHarness.WaitUntilAsync(() => output.ToString().Contains("worker running", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the worker runs");

            await FenceTheNextTransactionAsync(harness);

            var exitCode = await run.WaitAsync(TimeSpan.FromSeconds(90));
            Assert.That(exitCode, Is.EqualTo(ExitCodes.Failure), output.ToString() + error);
            Assert.That(error.ToString(), Does.Contain("InviteStream stopped:"));
        }
        finally
        {
            campaigns.Delete(recursive: true);
        }
    }

    // The broker answers the next transaction commit as it answers a replica whose transactional id
    // another one took over: librdkafka makes that a fatal error of the producer.
    private static async Task FenceTheNextTransactionAsync(PipelineHarness harness)
    {
        const short EndTxnApi = 26;
        const int ProducerFenced = 90;
        EmbeddedKafka.Cluster.PushRequestErrors(EndTxnApi, ProducerFenced);
        var now = TimeProvider.System.GetUtcNow();
        await harness.ProduceAsync(Enumerable.Range(0, 20).Select(i => ((string?)$"ext:f{i}", TestEvents.Event($"e{i}", $"ext:f{i}", now, churn: 0.9))));
    }

    private sealed class ThrowingFor(string contactId, IInviteDispatcher inner) : IInviteDispatcher
    {
        public Task<DispatchResult> DispatchAsync(InviteRequest request, CancellationToken cancellationToken) =>
            request.ContactId == contactId ? throw new InvalidOperationException("a bug") : inner.DispatchAsync(request, cancellationToken);

        public Task<DateTimeOffset?> SuppressedUntilAsync(InviteRequest request, CancellationToken cancellationToken) =>
            inner.SuppressedUntilAsync(request, cancellationToken);

        public ValueTask<bool> ReserveFirstAttemptAsync(DateTimeOffset deadline, CancellationToken cancellationToken) =>
            inner.ReserveFirstAttemptAsync(deadline, cancellationToken);
    }
}
