using InviteStream.Core.Dispatch;
using InviteStream.Engagement.Authentication;
using InviteStream.Engagement.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace InviteStream.Engagement.Dispatch;

/// <summary>
/// Sends one invite: a permit from its campaign's limiter, then, per attempt, a permit from the API
/// limiter and one call through the adapter, under the retry/circuit/timeout pipeline — all of it
/// only until the invite's intent deadline. A 429 or a spent budget stops the API limiter until the
/// API's reset time, so the worker stops sending instead of collecting more 429s.
/// </summary>
internal sealed partial class InviteDispatcher(
    IEngagementAdapter adapter,
    InviteRateLimits limits,
    ResiliencePipeline<AdapterResponse> pipeline,
    EngagementMetrics metrics,
    IOptions<EngagementOptions> options,
    TimeProvider time,
    ILogger<InviteDispatcher> logger) : IInviteDispatcher
{
    public async Task<DispatchResult> DispatchAsync(InviteRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = time.GetTimestamp();
        var result = await DispatchCoreAsync(request, cancellationToken);
        metrics.Dispatched(result.Status.ToString(), time.GetElapsedTime(started).TotalMilliseconds);
        return result;
    }

    private async Task<DispatchResult> DispatchCoreAsync(InviteRequest request, CancellationToken cancellationToken)
    {
        if (!await WaitForPermitAsync("campaign", limits.For(request.Campaign), request, request.Turn, cancellationToken))
        {
            return Throttled("campaign_rate_limit");
        }

        if (!request.HasLocalHistory && options.Value.CheckSuppressionForUnknownContacts
            && await RemoteSuppressionAsync(request, cancellationToken) is { } until)
        {
            return new DispatchResult(DispatchStatus.Suppressed, "suppressed_by_engine_lookup", until);
        }

        var untilDeadline = request.Deadline - time.GetUtcNow();
        if (untilDeadline <= TimeSpan.Zero)
        {
            return Throttled("past_deadline");
        }

        using var deadline = new CancellationTokenSource(untilDeadline, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var context = ResilienceContextPool.Shared.Get(linked.Token);
        try
        {
            context.Properties.Set(DispatchResilience.Deadline, request.Deadline);
            var outcome = await pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) => Outcome.FromResult(await state.self.AttemptAsync(state.request, ctx)),
                context,
                (self: this, request));
            cancellationToken.ThrowIfCancellationRequested();
            return Interpret(outcome, context, deadline.IsCancellationRequested);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    // The guide's advice for consolidated suppression: ask before triggering. Best effort: when the
    // lookup cannot be made, the trigger still goes out and the engine decides.
    private async Task<DateTimeOffset?> RemoteSuppressionAsync(InviteRequest request, CancellationToken cancellationToken)
    {
        if (!await limits.Api.AcquireAsync(request.Deadline, cancellationToken))
        {
            return null;
        }

        try
        {
            var until = await adapter.SuppressedUntilAsync(request.ContactId, cancellationToken);
            return until > time.GetUtcNow() ? until : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or EngagementAuthenticationException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogLookupFailed(ex.GetType().Name);
            return null;
        }
    }

    private async Task<AdapterResponse> AttemptAsync(InviteRequest request, ResilienceContext context)
    {
        var cancellationToken = context.CancellationToken;
        if (!await WaitForPermitAsync("api", limits.Api, request, turn: null, cancellationToken))
        {
            return AdapterResponse.Final(Throttled("api_rate_limit"), 0);
        }

        context.Properties.Set(DispatchResilience.Sent, true);
        var response = await adapter.SendAsync(request, cancellationToken);
        metrics.Responded(response.StatusCode);
        if (response.BudgetResetAt is { } reset)
        {
            limits.Api.BlockUntil(reset);
            LogBudgetSpent(reset);
        }

        return response;
    }

    // Each permit wait is one span and one measurement. With a turn, the request asks only after every
    // earlier event of its partition asked; asking queues it in the limiter's FIFO at once, and then
    // the next event may ask.
    private async ValueTask<bool> WaitForPermitAsync(
        string limiterName, RollingWindowRateLimiter limiter, InviteRequest request, DispatchTurn? turn, CancellationToken cancellationToken)
    {
        using var wait = EngagementMetrics.Source.StartActivity(limiterName == "api" ? "api rate limit wait" : "campaign rate limit wait");
        var started = time.GetTimestamp();
        if (turn is not null)
        {
            await turn.WaitAsync(cancellationToken);
        }

        var permit = limiter.AcquireAsync(request.Deadline, cancellationToken);
        turn?.Release();
        var granted = await permit;
        metrics.LimiterWaited(limiterName, time.GetElapsedTime(started).TotalMilliseconds);
        wait?.SetTag("invitestream.permit_granted", granted);
        return granted;
    }

    private static DispatchResult Interpret(Outcome<AdapterResponse> outcome, ResilienceContext context, bool deadlinePassed)
    {
        var properties = context.Properties;
        var cutByDeadline = outcome.Exception is OperationCanceledException;
        var pastDeadline = deadlinePassed || cutByDeadline || properties.GetValue(DispatchResilience.GaveUpAtDeadline, false);
        var suffix = pastDeadline ? "_past_deadline" : "";

        // The deadline cut a backoff or a permit wait: report the failure that made us wait.
        if (cutByDeadline && properties.TryGetValue(DispatchResilience.LastFailure, out var previous))
        {
            outcome = previous;
        }

        return outcome switch
        {
            { Result: { IsTransient: false } final } => final.Result!,
            { Result: { } transient } => FromTransient(transient, suffix),
            { Exception: BrokenCircuitException } => new DispatchResult(DispatchStatus.Failed, "circuit_open"),
            { Exception: EngagementAuthenticationException auth } => new DispatchResult(DispatchStatus.Failed, $"auth_failed:http_{auth.StatusCode}"),
            { Exception: TimeoutRejectedException } => new DispatchResult(DispatchStatus.Failed, "timeout" + suffix),
            { Exception: HttpRequestException http } => new DispatchResult(DispatchStatus.Failed, $"connection_failed:{http.HttpRequestError}{suffix}"),
            { Exception: OperationCanceledException } when properties.GetValue(DispatchResilience.Sent, false) =>
                new DispatchResult(DispatchStatus.Failed, "timeout_past_deadline"),
            { Exception: OperationCanceledException } => Throttled("past_deadline"),
            { Exception: var other } => new DispatchResult(DispatchStatus.Failed, $"error:{other!.GetType().Name}"),
        };
    }

    private static DispatchResult FromTransient(AdapterResponse transient, string suffix) => transient.IsRateLimited
        ? Throttled("api_429" + suffix)
        : new DispatchResult(DispatchStatus.Failed, $"http_{transient.StatusCode}{suffix}");

    private static DispatchResult Throttled(string reason) => new(DispatchStatus.Throttled, reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Suppression lookup failed ({Error}); triggering without it")]
    private partial void LogLookupFailed(string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Engagement API budget spent; sending paused until {ResetAt}")]
    private partial void LogBudgetSpent(DateTimeOffset resetAt);
}
