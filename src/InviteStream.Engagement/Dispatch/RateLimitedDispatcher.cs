using InviteStream.Core.Dispatch;
using InviteStream.Engagement.RateLimiting;
using Microsoft.Extensions.Logging;

namespace InviteStream.Engagement.Dispatch;

/// <summary>
/// Sends an invite only with a permit from its campaign's limiter and the API limiter, and only
/// before the invite's intent deadline. A 429 (or a spent budget) stops the API limiter until the
/// API's reset time; the invite then waits for a permit again, still bounded by its deadline.
/// </summary>
internal sealed partial class RateLimitedDispatcher(
    IEngagementAdapter adapter,
    InviteRateLimits limits,
    TimeProvider time,
    ILogger<RateLimitedDispatcher> logger) : IInviteDispatcher
{
    public async Task<DispatchResult> DispatchAsync(InviteRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!await limits.For(request.Campaign).AcquireAsync(request.Deadline, cancellationToken))
        {
            return new DispatchResult(DispatchStatus.Throttled, "campaign_rate_limit");
        }

        var rateLimitedByApi = false;
        while (true)
        {
            if (!await limits.Api.AcquireAsync(request.Deadline, cancellationToken))
            {
                return new DispatchResult(DispatchStatus.Throttled, rateLimitedByApi ? "api_429_past_deadline" : "api_rate_limit");
            }

            AdapterResponse response;
            try
            {
                response = await adapter.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException ex)
            {
                LogSendFailed(ex.HttpRequestError, ex.StatusCode is { } code ? (int)code : 0);
                return new DispatchResult(DispatchStatus.Failed, $"http_error:{ex.HttpRequestError}");
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new DispatchResult(DispatchStatus.Failed, "timeout");
            }

            if (response.BudgetResetAt is { } reset)
            {
                limits.Api.BlockUntil(reset);
            }

            if (!response.IsRateLimited)
            {
                return response.Result!;
            }

            rateLimitedByApi = true;
            LogRateLimited(response.RetryAt);
            if (response.RetryAt > request.Deadline || time.GetUtcNow() >= request.Deadline)
            {
                return new DispatchResult(DispatchStatus.Throttled, "api_429_past_deadline");
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Engagement API rate limited the client (429); sending paused until {RetryAt}")]
    private partial void LogRateLimited(DateTimeOffset? retryAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invite dispatch failed: {Error} (HTTP {StatusCode})")]
    private partial void LogSendFailed(HttpRequestError error, int statusCode);
}
