using System.Net.Http.Headers;
using System.Text.Json;
using InviteStream.Core.Campaigns;
using InviteStream.Engagement.Authentication;

namespace InviteStream.Engagement.Campaigns;

/// <summary>Reads and writes campaign definitions at the guide's <c>/api/v2/analytics/predictiveengagement/campaigns</c>.</summary>
public sealed class CampaignSyncClient
{
    private const string CampaignsPath = "api/v2/analytics/predictiveengagement/campaigns";
    private readonly HttpClient _http;
    private readonly AccessTokenProvider _tokens;

    internal CampaignSyncClient(HttpClient http, AccessTokenProvider tokens)
    {
        _http = http;
        _tokens = tokens;
    }

    public async Task<IReadOnlyDictionary<string, JsonElement>> GetRemoteAsync(CancellationToken cancellationToken)
    {
        using var message = await AuthorizedAsync(HttpMethod.Get, cancellationToken);
        using var response = await _http.SendAsync(message, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), default, cancellationToken);
        var remote = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (document.RootElement.TryGetProperty("entities", out var entities) && entities.ValueKind == JsonValueKind.Array)
        {
            foreach (var entity in entities.EnumerateArray())
            {
                if (entity.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                {
                    remote[id.GetString()!] = entity.Clone();
                }
            }
        }

        return remote;
    }

    public async Task UpsertAsync(Campaign campaign, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        using var message = await AuthorizedAsync(HttpMethod.Post, cancellationToken);
        message.Content = new StringContent(campaign.Definition.GetRawText(), System.Text.Encoding.UTF8, "application/json");
        using var response = await _http.SendAsync(message, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    private async Task<HttpRequestMessage> AuthorizedAsync(HttpMethod method, CancellationToken cancellationToken)
    {
        var message = new HttpRequestMessage(method, CampaignsPath);
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await _tokens.GetTokenAsync(cancellationToken));
        return message;
    }
}
