using System.Net;
using System.Text.Json;
using InviteStream.Core.Dispatch;

namespace InviteStream.Engagement.Dispatch;

/// <summary>Turns a non-success HTTP response into an adapter answer, shared by both adapters.</summary>
internal static class HttpErrors
{
    public static async Task<AdapterResponse> InterpretAsync(HttpResponseMessage response, TimeProvider time, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        if (AdapterResponse.IsTransientStatus(status))
        {
            var retryAt = RateLimitHeaders.RetryAt(response, time);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                retryAt ??= time.GetUtcNow() + TimeSpan.FromSeconds(1);
            }

            return AdapterResponse.Transient(status, retryAt);
        }

        return AdapterResponse.Final(new DispatchResult(DispatchStatus.Failed, $"http_{status}{await ErrorCodeAsync(response, cancellationToken)}"), status);
    }

    // Genesys error bodies carry a machine-readable "code" (e.g. "bad.request"); it goes into the reason.
    private static async Task<string> ErrorCodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), default, cancellationToken);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String
                ? ":" + code.GetString()
                : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }
}
