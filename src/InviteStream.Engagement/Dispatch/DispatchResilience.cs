using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace InviteStream.Engagement.Dispatch;

/// <summary>
/// The one place dispatch resilience is configured: retry (outermost) → circuit breaker → per-attempt
/// timeout. Every delay is bounded by the invite's intent deadline, carried in the context. The
/// pipeline lives in Polly's registry under <see cref="PipelineName"/>, which reports its retries,
/// circuit changes and timeouts on the <c>Polly</c> meter and log category.
/// </summary>
internal static class DispatchResilience
{
    public const string PipelineName = "engagement-dispatch";

    public static readonly ResiliencePropertyKey<DateTimeOffset> Deadline = new("invitestream.deadline");

    /// <summary>The last failed attempt, so a deadline that cuts a retry short still says why.</summary>
    public static readonly ResiliencePropertyKey<Outcome<AdapterResponse>> LastFailure = new("invitestream.last-failure");

    /// <summary>Set when the next retry could only happen past the deadline.</summary>
    public static readonly ResiliencePropertyKey<bool> GaveUpAtDeadline = new("invitestream.gave-up-at-deadline");

    /// <summary>Set while the next attempt's API permit was taken already (with the campaign's).</summary>
    public static readonly ResiliencePropertyKey<bool> PermitReserved = new("invitestream.permit-reserved");

    /// <summary>What the invite's attempts have done so far (one HTTP call each).</summary>
    public static readonly ResiliencePropertyKey<DispatchProgress> Progress = new("invitestream.progress");

    /// <summary>Failed attempts so far: retried up to <see cref="EngagementOptions.MaxRetries"/>, continuations aside.</summary>
    private static readonly ResiliencePropertyKey<int> Failures = new("invitestream.failures");

    /// <summary>Calls an invite may need besides its first and its retries: a token renewal, a contact lookup and creation, a look at the contact's segments, an unassignment, re-sends of unprocessed assignments.</summary>
    public const int MaxContinuations = 8;

    /// <summary>Set once a request left for the API: cancelling it at the deadline leaves its fate unknown.</summary>
    public static readonly ResiliencePropertyKey<bool> Sent = new("invitestream.sent");

    public static void Configure(ResiliencePipelineBuilder<AdapterResponse> builder, EngagementOptions options, TimeProvider time, DispatchHealth health)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.TimeProvider = time;
        builder
            .AddRetry(new RetryStrategyOptions<AdapterResponse>
            {
                MaxRetryAttempts = options.MaxRetries + MaxContinuations,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context, options.MaxRetries, time)),
                DelayGenerator = args => ValueTask.FromResult(DelayUntilAllowed(args.Outcome, time)),
                OnRetry = args =>
                {
                    args.Context.Properties.Set(LastFailure, args.Outcome);
                    return ValueTask.CompletedTask;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<AdapterResponse>
            {
                FailureRatio = options.CircuitFailureRatio,
                MinimumThroughput = options.CircuitMinimumThroughput,
                SamplingDuration = options.CircuitSamplingDuration,
                BreakDuration = options.CircuitBreakDuration,
                // A 429 says the budget is spent, not that the API is unhealthy: it never opens the
                // circuit; nor does a call that worked but left the invite more to do.
                ShouldHandle = args => ValueTask.FromResult(IsFailure(args.Outcome) && args.Outcome.Result is not ({ IsRateLimited: true } or { IsContinuation: true })),
                OnOpened = _ =>
                {
                    health.Opened(time.GetUtcNow());
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    health.Closed();
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(options.RequestTimeout);
    }

    public static bool IsFailure(Outcome<AdapterResponse> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result.IsTransient: true } => true,
        _ => false,
    };

    private static bool ShouldRetry(Outcome<AdapterResponse> outcome, ResilienceContext context, int maxRetries, TimeProvider time)
    {
        if (!IsFailure(outcome) || outcome.Exception is BrokenCircuitException)
        {
            return false;
        }

        // Continuations are bounded by the retry strategy's attempts (retries + MaxContinuations); failures by the retries.
        if (outcome.Result is not { IsContinuation: true })
        {
            var failures = context.Properties.GetValue(Failures, 0) + 1;
            context.Properties.Set(Failures, failures);
            if (failures > maxRetries)
            {
                return false;
            }
        }

        // A retry the API would refuse before the deadline is pointless: give up now instead.
        var deadline = context.Properties.GetValue(Deadline, DateTimeOffset.MaxValue);
        var earliest = outcome.Result?.RetryAt ?? time.GetUtcNow();
        if (earliest >= deadline)
        {
            context.Properties.Set(GaveUpAtDeadline, true);
            return false;
        }

        return true;
    }

    private static TimeSpan? DelayUntilAllowed(Outcome<AdapterResponse> outcome, TimeProvider time) => outcome.Result switch
    {
        { Immediate: true } => TimeSpan.Zero,
        { RetryAt: { } retryAt } when retryAt - time.GetUtcNow() is { } wait && wait > TimeSpan.Zero => wait,
        _ => null,
    };
}
