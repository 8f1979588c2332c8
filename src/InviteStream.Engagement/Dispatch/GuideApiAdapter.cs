using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using InviteStream.Serialization;
using InviteStream.Core.Attributes;
using InviteStream.Core.Dispatch;
using InviteStream.Engagement.Authentication;
using InviteStream.Core;

namespace InviteStream.Engagement.Dispatch;

/// <summary>
/// The guide's trigger API: <c>POST /api/v2/analytics/predictiveengagement/campaigns/{campaignId}/trigger</c>.
/// </summary>
internal sealed class GuideApiAdapter(HttpClient http, AccessTokenProvider tokens, TimeProvider time) : IEngagementAdapter
{
    public async Task<AdapterResponse> SendAsync(InviteRequest request, DispatchProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(progress);
        var token = await tokens.ForAttemptAsync(progress, cancellationToken);
        using var response = await PostAsync(request.Campaign.Id, TriggerPayload(request), token, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            return AccessTokenProvider.Refused(progress, token);
        }

        var interpreted = await InterpretAsync(response, cancellationToken);
        return RateLimitHeaders.Remaining(response) == 0 && interpreted.BudgetResetAt is null
            ? interpreted with { BudgetResetAt = RateLimitHeaders.ResetAt(response, time) }
            : interpreted;
    }

    /// <summary>The guide's <c>GET .../contacts/{contactId}/suppression</c>.</summary>
    public async Task<DateTimeOffset?> SuppressedUntilAsync(string contactId, CancellationToken cancellationToken)
    {
        var token = await tokens.GetTokenAsync(cancellationToken);
        using var message = new HttpRequestMessage(
            HttpMethod.Get, $"api/v2/analytics/predictiveengagement/contacts/{Uri.EscapeDataString(contactId)}/suppression");
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(message, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), default, cancellationToken);
        var root = document.RootElement;
        return root.TryGetProperty("suppressed", out var suppressed) && suppressed.ValueKind == JsonValueKind.True
            ? ReadTime(root, "expiresAt")
            : null;
    }

    internal static byte[] TriggerPayload(InviteRequest request)
    {
        return JsonBytes.Write(request, static (writer, request) =>
        {
            writer.WriteStartObject();
            writer.WriteString("contactId", request.ContactId);
            writer.WriteString("channelId", request.ChannelId);
            writer.WriteStartObject("sessionData");
            foreach (var (name, value) in request.SessionData)
            {
                writer.WritePropertyName(name);
                AttributeJson.Write(writer, value);
            }

            writer.WriteEndObject();
            writer.WriteStartObject("evaluationContext");
            writer.WriteString("timestamp", IsoTimestamp.Format(request.Timestamp));
            writer.WriteString("requestId", request.RequestId);
            if (request.CorrelationId is null)
            {
                writer.WriteNull("correlationId");
            }
            else
            {
                writer.WriteString("correlationId", request.CorrelationId);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        });
    }

    private async Task<HttpResponseMessage> PostAsync(string campaignId, byte[] body, string token, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(
            HttpMethod.Post,
            $"api/v2/analytics/predictiveengagement/campaigns/{Uri.EscapeDataString(campaignId)}/trigger");
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        message.Content = new ByteArrayContent(body);
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await http.SendAsync(message, cancellationToken);
    }

    private async Task<AdapterResponse> InterpretAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            return await HttpErrors.InterpretAsync(response, time, cancellationToken);
        }

        using var document = await JsonDocument.ParseAsync(
            await response.Content.ReadAsStreamAsync(cancellationToken), default, cancellationToken);
        var root = document.RootElement;
        var status = root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        var reason = root.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        var result = status switch
        {
            "delivered" => DispatchResult.Delivered,
            "suppressed" => new DispatchResult(DispatchStatus.Suppressed, reason ?? "suppressed_by_engine", ReadTime(root, "expiresAt")),
            "not_eligible" => new DispatchResult(DispatchStatus.NotEligible, reason ?? "not_eligible_by_engine"),
            _ => new DispatchResult(DispatchStatus.Failed, $"unknown_status:{status ?? "none"}"),
        };
        return AdapterResponse.Final(result, (int)response.StatusCode);
    }

    private static DateTimeOffset? ReadTime(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : null;
}
