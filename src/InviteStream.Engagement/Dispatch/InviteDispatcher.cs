using InviteStream.Core.Dispatch;
using InviteStream.Engagement.Authentication;
using InviteStream.Engagement.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Timeout;

namespace InviteStream.Engagement.Dispatch;

/// <summary>
/// Sends one invite (its campaign permit already taken by the invite flow): per attempt, a permit
/// from the API limiter and one call through the adapter, under the retry/circuit/timeout pipeline —
/// all of it only until the invite's intent deadline. A 429 or a spent budget stops the API limiter
/// until the API's reset time, so the worker stops sending instead of collecting more 429s.
/// </summary>
internal sealed partial class InviteDispatcher(
    IEngagementAdapter adapter,
    ApiBudget budget,
    ResiliencePipelineProvider<string> pipelines,
    PermitWait permits,
    EngagementMetrics metrics,
    IOptions<EngagementOptions> options,
    TimeProvider time,
    ILogger<InviteDispatcher> logger) : IInviteDispatcher
{
    private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly ResiliencePipeline<AdapterResponse> _pipeline = pipelines.GetPipeline<AdapterResponse>(DispatchResilience.PipelineName);

    public async Task<DispatchResult> DispatchAsync(InviteRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = time.GetTimestamp();
        var result = await DispatchCoreAsync(request, cancellationToken);
        metrics.Dispatched(result.Status.ToString(), time.GetElapsedTime(started).TotalMilliseconds);
        return result;
    }

    public Task<DateTimeOffset?> SuppressedUntilAsync(InviteRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return !request.HasLocalHistory && options.Value.CheckSuppressionForUnknownContacts
            ? RemoteSuppressionAsync(request, cancellationToken)
            : Task.FromResult<DateTimeOffset?>(null);
    }

    public ValueTask<bool> ReserveFirstAttemptAsync(DateTimeOffset deadline, CancellationToken cancellationToken) =>
        permits.ForAsync("api", budget.Limiter, deadline, cancellationToken);

    private async Task<DispatchResult> DispatchCoreAsync(InviteRequest request, CancellationToken cancellationToken)
    {
        var untilDeadline = request.Deadline - time.GetUtcNow();
        if (untilDeadline <= TimeSpan.Zero)
        {
            return Throttled("past_deadline") with { Unsent = true };
        }

        // A deadline beyond what a timer can hold is as good as none.
        using var deadline = new CancellationTokenSource(untilDeadline < MaxTimerDelay ? untilDeadline : Timeout.InfiniteTimeSpan, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var context = ResilienceContextPool.Shared.Get(linked.Token);
        try
        {
            context.Properties.Set(DispatchResilience.Deadline, request.Deadline);
            context.Properties.Set(DispatchResilience.PermitReserved, request.FirstAttemptReserved);
            var progress = new DispatchProgress { ExternalContactId = request.EngineContactId, ContactIdFromState = request.EngineContactId is not null };
            context.Properties.Set(DispatchResilience.Progress, progress);
            var outcome = await _pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) => Outcome.FromResult(await state.self.AttemptAsync(state.request, ctx)),
                context,
                (self: this, request));
            cancellationToken.ThrowIfCancellationRequested();
            var result = Interpret(outcome, context, deadline.IsCancellationRequested);

            // A contact id dispatch found is kept with the contact's state: its next invite, on any replica, needs no lookup.
            if (progress.ExternalContactId is { } found && found != request.EngineContactId)
            {
                result = result with { EngineContactId = found };
            }

            return context.Properties.GetValue(DispatchResilience.Sent, false) ? result : result with { Unsent = true };
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
        if (!await budget.Limiter.AcquireAsync(request.Deadline, cancellationToken))
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
        // Every attempt takes a permit of the API's budget; the first one's may have been taken with the campaign's.
        var cancellationToken = context.CancellationToken;
        if (context.Properties.GetValue(DispatchResilience.PermitReserved, false))
        {
            context.Properties.Set(DispatchResilience.PermitReserved, false);
        }
        else if (!await permits.ForAsync("api", budget.Limiter, request.Deadline, cancellationToken))
        {
            return AdapterResponse.Final(Throttled("api_rate_limit"), 0);
        }

        context.Properties.Set(DispatchResilience.Sent, true);
        var response = await adapter.SendAsync(request, context.Properties.GetValue(DispatchResilience.Progress, null!), cancellationToken);
        metrics.Responded(response.StatusCode);
        if (response.BudgetResetAt is { } reset)
        {
            budget.Limiter.BlockUntil(reset);
            LogBudgetSpent(reset);
        }

        return response;
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
            { Result: { IsContinuation: true } unfinished } => new DispatchResult(DispatchStatus.Failed, unfinished.ReasonIfLast + suffix),
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
