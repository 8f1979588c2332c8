using System.Diagnostics;
using InviteStream.Core.Attributes;
using InviteStream.Core.Dispatch;
using InviteStream.Simulator;
using Microsoft.Extensions.Logging;

namespace InviteStream.Engagement.Tests.Dispatch;

/// <summary>The dispatcher over real HTTP against the simulator on loopback, one behaviour each.</summary>
[TestFixture]
public sealed class DispatchOverHttpTests
{
    [Test]
    public async Task A_matching_invite_is_delivered_and_lands_in_the_ledger()
    {
        await using var harness = await DispatchHarness.StartAsync();

        var result = await harness.Dispatcher.DispatchAsync(harness.Request("ext:alice"), CancellationToken.None);

        Assert.That(result, Is.EqualTo(DispatchResult.Delivered));
        Assert.That(harness.Simulator.State.Ledger.Select(i => i.ContactId), Is.EqualTo(new[] { "ext:alice" }));
    }

    [Test]
    public async Task A_second_invite_is_suppressed_by_the_engine_with_its_expiry()
    {
        await using var harness = await DispatchHarness.StartAsync();
        await harness.Dispatcher.DispatchAsync(harness.Request("ext:alice"), CancellationToken.None);

        var result = await harness.Dispatcher.DispatchAsync(harness.Request("ext:alice"), CancellationToken.None);

        Assert.That(result.Status, Is.EqualTo(DispatchStatus.Suppressed));
        Assert.That(result.Reason, Is.EqualTo("suppressed_by_engine"));
        Assert.That(result.SuppressedUntil, Is.EqualTo(TimeProvider.System.GetUtcNow().AddDays(1)).Within(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task A_number_sent_as_a_string_is_not_eligible_at_the_engine()
    {
        await using var harness = await DispatchHarness.StartAsync();

        var result = await harness.Dispatcher.DispatchAsync(harness.Request("ext:bob", churn: "0.87"), CancellationToken.None);

        Assert.That(result, Is.EqualTo(new DispatchResult(DispatchStatus.NotEligible, "not_eligible_by_engine")));
    }

    [TestCase("RetryAfterSeconds")]
    [TestCase("RetryAfterDate")]
    [TestCase("RateLimitReset")]
    public async Task A_429_pauses_sending_until_the_api_allows_it_then_the_invite_goes_out(string style)
    {
        await using var harness = await DispatchHarness.StartAsync(
            faults: new SimulatorFaults { RateLimitStorm = true, RateLimitStyle = style, RetryAfterSeconds = 2 });
        var clock = Stopwatch.StartNew();

        var dispatch = harness.Dispatcher.DispatchAsync(harness.Request("ext:carol"), CancellationToken.None);
        while (harness.Budget.Limiter.Available > 0 && !dispatch.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(10);
        }

        Assert.That(harness.Budget.Limiter.Available, Is.Zero, "the 429 empties the API limiter until the reset time");
        harness.Simulator.Faults = new SimulatorFaults();
        var result = await dispatch;

        Assert.That(result, Is.EqualTo(DispatchResult.Delivered));
        // Second-resolution headers (HTTP date, epoch seconds) may round the wait down by up to a second.
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(style == "RetryAfterSeconds" ? 2 : 1)));
        Assert.That(harness.Simulator.Counters.TriggerRequestCount, Is.EqualTo(2), "no request while the API said to wait");
    }

    [Test]
    public async Task A_429_whose_retry_time_is_past_the_deadline_is_throttled_at_once()
    {
        await using var harness = await DispatchHarness.StartAsync(faults: new SimulatorFaults { RateLimitStorm = true, RetryAfterSeconds = 30 });
        var clock = Stopwatch.StartNew();

        var result = await harness.Dispatcher.DispatchAsync(harness.Request("ext:dan", deadlineIn: TimeSpan.FromSeconds(5)), CancellationToken.None);

        Assert.That(result, Is.EqualTo(new DispatchResult(DispatchStatus.Throttled, "api_429_past_deadline")));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(4)), "no waiting for a retry that cannot happen in time");
        Assert.That(harness.Simulator.Counters.TriggerRequestCount, Is.EqualTo(1));
    }

    [Test]
    public async Task Server_errors_are_retried_until_the_call_succeeds()
    {
        await using var harness = await DispatchHarness.StartAsync(faults: new SimulatorFaults { FailNext = 2, ErrorStatus = 503 });

        var result = await harness.Dispatcher.DispatchAsync(harness.Request("ext:erin"), CancellationToken.None);

        Assert.That(result, Is.EqualTo(DispatchResult.Delivered));
        Assert.That(harness.Simulator.Counters.TriggerRequestCount, Is.EqualTo(3));
    }

    [Test]
    public async Task A_client_error_is_not_retried_and_fails_with_its_error_code()
    {
        await using var harness = await DispatchHarness.StartAsync(faults: new SimulatorFaults { FailNext = 1, ErrorStatus = 400 });

        var result = await harness.Dispatcher.DispatchAsync(harness.Request("ext:fay"), CancellationToken.None);

        Assert.That(result, Is.EqualTo(new DispatchResult(DispatchStatus.Failed, "http_400:service.unavailable")));
        Assert.That(harness.Simulator.Counters.TriggerRequestCount, Is.EqualTo(1));
    }

    [Test]
    public async Task A_hanging_api_times_out_per_attempt_and_fails_no_later_than_the_deadline()
    {
        await using var harness = await DispatchHarness.StartAsync(
            new Dictionary<string, string?> { ["Engagement:RequestTimeout"] = "00:00:00.200" },
            new SimulatorFaults { Hang = true });
        var clock = Stopwatch.StartNew();

        var result = await harness.Dispatcher.DispatchAsync(harness.Request("ext:gus", deadlineIn: TimeSpan.FromSeconds(2)), CancellationToken.None);

        Assert.That(result.Status, Is.EqualTo(DispatchStatus.Failed));
        Assert.That(result.Reason, Does.StartWith("timeout"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(4)));
        Assert.That(harness.Simulator.Counters.TriggerRequestCount, Is.GreaterThan(1), "timeouts are retried");
    }

    [Test]
    public async Task An_expired_token_is_refreshed_once_and_the_call_retried()
    {
        await using var harness = await DispatchHarness.StartAsync();
        await harness.Dispatcher.DispatchAsync(harness.Request("ext:hal"), CancellationToken.None);
        await harness.ExpireTokensAsync();

        var result = await harness.Dispatcher.DispatchAsync(harness.Request("ext:ida"), CancellationToken.None);

        Assert.That(result, Is.EqualTo(DispatchResult.Delivered));
        Assert.That(harness.Simulator.Counters.TokenRequestCount, Is.EqualTo(2));
    }

    [Test]
    public async Task The_token_is_fetched_at_start_and_the_first_invite_uses_it()
    {
        await using var harness = await DispatchHarness.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (harness.Simulator.Counters.TokenRequestCount == 0)
        {
            await Task.Delay(5, timeout.Token);
        }

        var result = await harness.Dispatcher.DispatchAsync(harness.Request("ext:first"), CancellationToken.None);

        Assert.That(result, Is.EqualTo(DispatchResult.Delivered));
        Assert.That(harness.Simulator.Counters.TokenRequestCount, Is.EqualTo(1));
    }

    [Test]
    public async Task Refused_credentials_are_logged_at_start_without_the_secret()
    {
        await using var harness = await DispatchHarness.StartAsync(clientSecret: DispatchHarness.Secret + "-wrong");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        string? warning;
        while ((warning = harness.Logs.GetSnapshot().Where(r => r.Level == LogLevel.Warning).Select(r => r.Message).FirstOrDefault(m => m.Contains("token at start", StringComparison.Ordinal))) is null)
        {
            await Task.Delay(5, timeout.Token);
        }

        Assert.That(warning, Does.Contain("HTTP 401"));
        Assert.That(warning, Does.Not.Contain(DispatchHarness.Secret));
    }

    [Test]
    public async Task Many_concurrent_invites_share_one_token()
    {
        await using var harness = await DispatchHarness.StartAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => harness.Dispatcher.DispatchAsync(harness.Request($"ext:c{i}"), CancellationToken.None)));

        Assert.That(results, Is.All.EqualTo(DispatchResult.Delivered));
        Assert.That(harness.Simulator.Counters.TokenRequestCount, Is.EqualTo(1));
    }

    [Test]
    public async Task Sustained_failures_open_the_circuit_and_then_invites_fail_fast_without_a_call()
    {
        await using var harness = await DispatchHarness.StartAsync(
            new Dictionary<string, string?>
            {
                ["Engagement:MaxRetries"] = "0",
                ["Engagement:CircuitMinimumThroughput"] = "4",
                ["Engagement:CircuitBreakDuration"] = "00:01:00",
            },
            new SimulatorFaults { ErrorRate = 1, ErrorStatus = 503 });

        var results = new List<DispatchResult>();
        for (var i = 0; i < 6; i++)
        {
            results.Add(await harness.Dispatcher.DispatchAsync(harness.Request($"ext:j{i}"), CancellationToken.None));
        }

        Assert.That(results.Take(4).Select(r => (r.Reason, r.Unsent)), Is.All.EqualTo(("http_503", false)));
        Assert.That(results.Skip(4).Select(r => (r.Reason, r.Unsent)), Is.All.EqualTo(("circuit_open", true)), "no call: the campaign permit is given back");
        Assert.That(harness.Simulator.Counters.TriggerRequestCount, Is.EqualTo(4), "no HTTP call while the circuit is open");
    }

    [Test]
    public async Task No_permit_before_the_deadline_means_throttled_without_a_call()
    {
        await using var harness = await DispatchHarness.StartAsync(new Dictionary<string, string?> { ["Engagement:ApiRequestsPerMinute"] = "1" });
        await harness.Dispatcher.DispatchAsync(harness.Request("ext:k1"), CancellationToken.None);

        var result = await harness.Dispatcher.DispatchAsync(harness.Request("ext:k2", deadlineIn: TimeSpan.FromSeconds(5)), CancellationToken.None);

        Assert.That(result, Is.EqualTo(new DispatchResult(DispatchStatus.Throttled, "api_rate_limit", Unsent: true)));
        Assert.That(harness.Simulator.Counters.TriggerRequestCount, Is.EqualTo(1));
    }

    [Test]
    public async Task Only_an_invite_no_request_left_for_is_reported_unsent()
    {
        await using var harness = await DispatchHarness.StartAsync();

        var late = await harness.Dispatcher.DispatchAsync(harness.Request("ext:u1", deadlineIn: TimeSpan.FromMilliseconds(-1)), CancellationToken.None);
        var sent = await harness.Dispatcher.DispatchAsync(harness.Request("ext:u2"), CancellationToken.None);

        Assert.That(late, Is.EqualTo(new DispatchResult(DispatchStatus.Throttled, "past_deadline", Unsent: true)));
        Assert.That(sent, Is.EqualTo(DispatchResult.Delivered), "sent: its campaign permit stays counted");
        Assert.That(harness.Simulator.Counters.TriggerRequestCount, Is.EqualTo(1));
    }

    [Test]
    public async Task The_client_secret_never_appears_in_logs_or_results()
    {
        await using var harness = await DispatchHarness.StartAsync(clientSecret: DispatchHarness.Secret + "-wrong");

        var rejected = await harness.Dispatcher.DispatchAsync(harness.Request("ext:l1"), CancellationToken.None);

        Assert.That(rejected, Is.EqualTo(new DispatchResult(DispatchStatus.Failed, "auth_failed:http_401")));
        var lines = harness.Logs.GetSnapshot().Select(r => $"{r.Message} {r.Exception} {r.StructuredState}").ToList();
        Assert.That(lines, Is.Not.Empty, "the HTTP calls were logged");
        Assert.That(lines, Has.None.Contain(DispatchHarness.Secret));
        Assert.That(rejected.Reason, Does.Not.Contain(DispatchHarness.Secret));
    }

    [Test]
    public async Task Journey_segments_resend_only_the_unprocessed_assignment_after_a_partial_success()
    {
        await using var harness = await DispatchHarness.StartAsync(
            new Dictionary<string, string?>
            {
                ["Engagement:Api"] = "JourneySegments",
                ["Engagement:SegmentIds:guide"] = "seg-high-churn",
            },
            new SimulatorFaults { UnprocessedSegmentCalls = 1 });

        var result = await harness.Dispatcher.DispatchAsync(harness.Request("ext:customer_8842910"), CancellationToken.None);

        var contact = harness.Simulator.State.FindExternalContact("ExternalId", "customer_8842910");
        Assert.That(result, Is.EqualTo(new DispatchResult(DispatchStatus.Delivered, "segment_assigned", EngineContactId: contact)));
        Assert.That(harness.Simulator.Counters.SegmentRequestCount, Is.EqualTo(2), "the assignment, then the unprocessed part again");
        Assert.That(
            harness.Simulator.State.SegmentAssignments.Select(a => (a.ContactId, a.SegmentId, a.Assignments)),
            Is.EqualTo(new[] { (contact, "seg-high-churn", 1) }),
            "assigned once, to the contact the customer's own id (the contactId without ext:) names in Genesys");
    }

    [TestCase("Guide")]
    [TestCase("JourneySegments")]
    public async Task Every_call_re_sends_and_token_renewals_included_takes_an_api_permit(string api)
    {
        await using var harness = await DispatchHarness.StartAsync(
            new Dictionary<string, string?>
            {
                ["Engagement:Api"] = api,
                ["Engagement:SegmentIds:guide"] = "seg-high-churn",
            },
            new SimulatorFaults { UnprocessedSegmentCalls = 2 });

        // Segments: a lookup, a look at the contact's segments, two partial successes, then the rest
        // assigned (five calls); guide: one call.
        Assert.That((await harness.Dispatcher.DispatchAsync(harness.Request("ext:ada"), CancellationToken.None)).Status, Is.EqualTo(DispatchStatus.Delivered));
        await harness.ExpireTokensAsync();

        // A refused token (401), renewed, and the call made again (segments: then the lookup, the look and the assignment).
        Assert.That((await harness.Dispatcher.DispatchAsync(harness.Request("ext:bob"), CancellationToken.None)).Status, Is.EqualTo(DispatchStatus.Delivered));

        Assert.That(harness.Simulator.Counters.ApiRequestCount, Is.EqualTo(api == "Guide" ? 3 : 9), "the calls this scenario needs");
        Assert.That(harness.Budget.RecentGrants, Has.Count.EqualTo(harness.Simulator.Counters.ApiRequestCount), "one permit of the API budget per call");
        Assert.That(harness.Simulator.Counters.TokenRequestCount, Is.EqualTo(2), "renewed once");
    }

    [Test]
    public async Task A_re_send_after_a_partial_success_waits_for_a_permit_and_is_throttled_when_none_comes_before_the_deadline()
    {
        await using var harness = await DispatchHarness.StartAsync(
            new Dictionary<string, string?>
            {
                ["Engagement:Api"] = "JourneySegments",
                ["Engagement:SegmentIds:guide"] = "seg-high-churn",
                ["Engagement:ApiRequestsPerMinute"] = "1",
                ["Engagement:ExternalContactIdAttribute"] = "genesys.contact_id",
                ["Engagement:SegmentAlreadyAssigned"] = "Extend",
            },
            new SimulatorFaults { UnprocessedSegmentCalls = 1 });
        var contact = harness.Simulator.State.AddExternalContact("ExternalId", "cy");
        var attributes = new Dictionary<string, AttributeValue> { ["genesys.contact_id"] = AttributeValue.FromString(contact) };

        // The only permit of the minute goes to the assignment (no lookup: the event names the
        // contact, no look: a held segment is extended); the re-send would need the next minute.
        var result = await harness.Dispatcher.DispatchAsync(harness.Request("ext:cy", deadlineIn: TimeSpan.FromSeconds(2), eventAttributes: attributes), CancellationToken.None);

        Assert.That((result.Status, result.Reason), Is.EqualTo((DispatchStatus.Throttled, "api_rate_limit")), "the re-send found no permit before the deadline");
        Assert.That(harness.Simulator.Counters.ApiRequestCount, Is.EqualTo(1), "no re-send without a permit");
        Assert.That(harness.Simulator.State.SegmentAssignments, Is.Empty);
    }

    [Test]
    public async Task A_contact_unknown_locally_is_checked_against_the_engines_suppression_before_triggering()
    {
        await using var harness = await DispatchHarness.StartAsync(new Dictionary<string, string?> { ["Engagement:CheckSuppressionForUnknownContacts"] = "true" });
        await harness.Dispatcher.DispatchAsync(harness.Request("ext:known-elsewhere"), CancellationToken.None);

        // As after a restart: the local state has no history of this contact.
        var until = await harness.Dispatcher.SuppressedUntilAsync(harness.Request("ext:known-elsewhere") with { HasLocalHistory = false }, CancellationToken.None);

        Assert.That(until, Is.GreaterThan(TimeProvider.System.GetUtcNow().AddHours(23)));
        Assert.That(harness.Simulator.Counters.TriggerRequestCount, Is.EqualTo(1), "the lookup is no trigger");
    }

    [Test]
    public async Task A_contact_the_engine_does_not_suppress_is_not_suppressed_by_the_lookup_and_a_known_one_is_not_looked_up()
    {
        await using var harness = await DispatchHarness.StartAsync(new Dictionary<string, string?> { ["Engagement:CheckSuppressionForUnknownContacts"] = "true" });

        var unknown = await harness.Dispatcher.SuppressedUntilAsync(harness.Request("ext:new") with { HasLocalHistory = false }, CancellationToken.None);
        var known = await harness.Dispatcher.SuppressedUntilAsync(harness.Request("ext:new") with { HasLocalHistory = true }, CancellationToken.None);

        Assert.That(unknown, Is.Null);
        Assert.That(known, Is.Null);
        Assert.That(harness.Simulator.Counters.SuppressionRequestCount, Is.EqualTo(1), "only the contact the local state does not know is looked up");
    }
}
