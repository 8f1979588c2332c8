using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization;
using InviteStream.Core.Dispatch;
using InviteStream.Engagement.Dispatch;
using Microsoft.Extensions.Options;

namespace InviteStream.Engagement.Authentication;

/// <summary>
/// OAuth 2 client-credentials tokens: cached until shortly before expiry, refreshed by one caller
/// at a time however many wait.
/// </summary>
internal sealed class AccessTokenProvider(HttpClient http, IOptions<EngagementOptions> options, TimeProvider time) : IDisposable
{
    // Refresh this long before expiry so a request never leaves with a token about to lapse.
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromSeconds(60);

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile CachedToken? _token;

    public async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        var token = _token;
        if (token is not null && time.GetUtcNow() < token.RefreshAt)
        {
            return token.Value;
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

    private async Task<string> RefreshAsync(CachedToken? stale, CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            // Another caller refreshed while we waited.
            if (_token is { } current && !ReferenceEquals(current, stale) && time.GetUtcNow() < current.RefreshAt)
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
            var token = new CachedToken(body.AccessToken, time.GetUtcNow() + lifetime - margin);
            _token = token;
            return token.Value;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private sealed record CachedToken(string Value, DateTimeOffset RefreshAt);
}

internal sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string? TokenType,
    [property: JsonPropertyName("expires_in")] long ExpiresIn);

[JsonSerializable(typeof(TokenResponse))]
internal sealed partial class TokenJsonContext : JsonSerializerContext;
