using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization;
using InviteStream.Core.Dispatch;
using InviteStream.Engagement.Dispatch;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace InviteStream.Engagement.Authentication;

/// <summary>
/// OAuth 2 client-credentials tokens: one cached for the process, fetched by one caller at a time
/// however many wait. From shortly before expiry it is renewed in the background while callers go
/// on with it; a caller waits for the login round trip only when there is no token it may still
/// use (none yet, or one too close to expiry because renewing kept failing).
/// </summary>
internal sealed partial class AccessTokenProvider(HttpClient http, IOptions<EngagementOptions> options, TimeProvider time, ILogger<AccessTokenProvider>? logger = null) : IDisposable
{
    // Renew this long before expiry: the background renewal has that long to succeed.
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromSeconds(60);

    // After a failed background renewal, the next one waits this long (every call would start one).
    internal static readonly TimeSpan RenewalRetryDelay = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly ILogger _logger = logger ?? NullLogger<AccessTokenProvider>.Instance;
    private volatile CachedToken? _token;
    private readonly Lock _renewing = new();
    private Task? _renewal;
    private DateTimeOffset _nextRenewal;

    /// <summary>The background renewal under way, or the last one.</summary>
    internal Task? Renewal
    {
        get
        {
            lock (_renewing)
            {
                return _renewal;
            }
        }
    }

    public async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        var token = _token;
        if (token is not null)
        {
            var now = time.GetUtcNow();
            if (now < token.RefreshAt)
            {
                return token.Value;
            }

            if (now < token.UsableUntil)
            {
                RenewInBackground(token, now);
                return token.Value;
            }
        }

        return await RefreshAsync(token, cancellationToken);
    }

    /// <summary>The API refused <paramref name="rejected"/> (401): get a new one, once.</summary>
    public async ValueTask<string> RenewAsync(string rejected, CancellationToken cancellationToken)
    {
        var token = _token;
        return token is not null && token.Value != rejected
            ? token.Value
            : await RefreshAsync(token, cancellationToken);
    }

    /// <summary>The token for an invite's next call: renewed when the API refused the last one.</summary>
    public async ValueTask<string> ForAttemptAsync(DispatchProgress progress, CancellationToken cancellationToken)
    {
        if (progress.RejectedToken is not { } rejected)
        {
            return await GetTokenAsync(cancellationToken);
        }

        progress.RejectedToken = null;
        progress.TokenRenewed = true;
        return await RenewAsync(rejected, cancellationToken);
    }

    /// <summary>The API refused <paramref name="token"/> (401): the next attempt renews it, once; a renewed token refused is final.</summary>
    public static AdapterResponse Refused(DispatchProgress progress, string token)
    {
        if (progress.TokenRenewed)
        {
            return AdapterResponse.Final(new DispatchResult(DispatchStatus.Failed, "auth_failed:http_401"), 401);
        }

        progress.RejectedToken = token;
        return AdapterResponse.Continue(401, "auth_failed:http_401");
    }

    public void Dispose() => _refresh.Dispose();

    // One renewal at a time, and none for a while after one failed (every call would start one).
    private void RenewInBackground(CachedToken stale, DateTimeOffset now)
    {
        lock (_renewing)
        {
            if (_renewal is { IsCompleted: false } || now < _nextRenewal)
            {
                return;
            }

            _renewal = Task.Run(() => RenewBeforeExpiryAsync(stale));
        }
    }

    private async Task RenewBeforeExpiryAsync(CachedToken stale)
    {
        try
        {
            await RefreshAsync(stale, CancellationToken.None);
        }
        catch (ObjectDisposedException)
        {
            // The worker stopped while renewing.
        }
        catch (Exception ex)
        {
            // Whatever went wrong, the current token serves until it is too old; then a caller's own refresh reports it.
            lock (_renewing)
            {
                _nextRenewal = time.GetUtcNow() + RenewalRetryDelay;
            }

            LogRenewalFailed(ex.Message, stale.UsableUntil);
        }
    }

    private async Task<string> RefreshAsync(CachedToken? stale, CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            // Another caller refreshed while we waited.
            if (_token is { } current && !ReferenceEquals(current, stale) && time.GetUtcNow() < current.UsableUntil)
            {
                return current.Value;
            }

            var settings = options.Value;
            using var request = new HttpRequestMessage(HttpMethod.Post, settings.EffectiveTokenUrl)
            {
                Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]),
            };
            var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{settings.ClientId}:{settings.ClientSecret}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials);

            using var response = await http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                // The body may echo request details; report the status only so no credential can leak.
                throw new EngagementAuthenticationException((int)response.StatusCode);
            }

            var body = await response.Content.ReadFromJsonAsync(TokenJsonContext.Default.TokenResponse, cancellationToken)
                ?? throw new HttpRequestException("OAuth token response was empty.");
            var lifetime = TimeSpan.FromSeconds(Math.Max(body.ExpiresIn, 1));
            var margin = lifetime > RefreshMargin * 2 ? RefreshMargin : lifetime / 2;
            var expiresAt = time.GetUtcNow() + lifetime;

            // Used until a quarter of the margin is left, so a request never leaves with a token about to lapse.
            var token = new CachedToken(body.AccessToken, expiresAt - margin, expiresAt - (margin / 4));
            _token = token;
            return token.Value;
        }
        finally
        {
            _refresh.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the Engagement API token failed ({Error}); the current one stays in use until {UsableUntil}")]
    private partial void LogRenewalFailed(string error, DateTimeOffset usableUntil);

    /// <param name="RefreshAt">From here on it is renewed in the background.</param>
    /// <param name="UsableUntil">From here on a caller waits for a new one.</param>
    private sealed record CachedToken(string Value, DateTimeOffset RefreshAt, DateTimeOffset UsableUntil);
}

internal sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string? TokenType,
    [property: JsonPropertyName("expires_in")] long ExpiresIn);

[JsonSerializable(typeof(TokenResponse))]
internal sealed partial class TokenJsonContext : JsonSerializerContext;
