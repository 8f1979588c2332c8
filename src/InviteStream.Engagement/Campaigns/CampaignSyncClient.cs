using System.Net.Http.Headers;
using System.Text.Json;
using InviteStream.Core.Campaigns;
using InviteStream.Engagement.Authentication;

namespace InviteStream.Engagement.Campaigns;

/// <summary>Reads and writes campaign definitions at the guide's <c>/api/v2/analytics/predictiveengagement/campaigns</c>.</summary>
public sealed class CampaignSyncClient
{
    private const string CampaignsPath = "api/v2/analytics/predictiveengagement/campaigns";
    private const int PageSize = 100;
    private readonly HttpClient _http;
    private readonly AccessTokenProvider _tokens;

    internal CampaignSyncClient(HttpClient http, AccessTokenProvider tokens)
    {
        _http = http;
        _tokens = tokens;
    }

    /// <summary>Every campaign the API holds, read page by page.</summary>
    public async Task<IReadOnlyDictionary<string, JsonElement>> GetRemoteAsync(CancellationToken cancellationToken)
    {
        var remote = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        for (var page = 1; ; page++)
        {
            using var message = await AuthorizedAsync(HttpMethod.Get, $"{CampaignsPath}?pageSize={PageSize}&pageNumber={page}", cancellationToken);
            using var response = await _http.SendAsync(message, cancellationToken);
            response.EnsureSuccessStatusCode();
            using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), default, cancellationToken);
            var root = document.RootElement;
            if (!root.TryGetProperty("entities", out var entities) || entities.ValueKind != JsonValueKind.Array)
            {
                return remote;
            }

            var count = 0;
            foreach (var entity in entities.EnumerateArray())
            {
                count++;
                if (entity.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                {
                    remote[id.GetString()!] = entity.Clone();
                }
            }

            // The last page: as the listing says, or, if it does not say, the first page that is not full.
            var pageCount = root.TryGetProperty("pageCount", out var pages) && pages.TryGetInt32(out var n) ? n : (int?)null;
            if (count == 0 || (pageCount is { } last ? page >= last : count < PageSize))
            {
                return remote;
            }
        }
    }

    public async Task UpsertAsync(Campaign campaign, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        using var message = await AuthorizedAsync(HttpMethod.Post, CampaignsPath, cancellationToken);
        message.Content = new StringContent(campaign.Definition.GetRawText(), System.Text.Encoding.UTF8, "application/json");
        using var response = await _http.SendAsync(message, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    private async Task<HttpRequestMessage> AuthorizedAsync(HttpMethod method, string path, CancellationToken cancellationToken)
    {
        var message = new HttpRequestMessage(method, path);
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await _tokens.GetTokenAsync(cancellationToken));
        return message;
    }
}
