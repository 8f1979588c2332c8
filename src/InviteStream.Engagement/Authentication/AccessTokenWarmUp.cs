using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace InviteStream.Engagement.Authentication;

/// <summary>
/// Fetches the first API token while the worker starts (joining its groups and restoring state takes
/// longer), so the first invite does not wait for the login round trip, and refused credentials show
/// in the log at start rather than at the first invite. Nothing waits for it: a failure here is
/// retried by the first invite that needs a token.
/// </summary>
internal sealed partial class AccessTokenWarmUp(AccessTokenProvider tokens, ILogger<AccessTokenWarmUp> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await tokens.GetTokenAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped before the login answered.
        }
        catch (Exception ex) when (ex is HttpRequestException or EngagementAuthenticationException or TaskCanceledException)
        {
            LogWarmUpFailed(ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Getting the Engagement API token at start failed ({Error}); the first invite tries again")]
    private partial void LogWarmUpFailed(string error);
}
