using System.Net.Http.Headers;
using System.Text.Json;
using InviteStream.Core.Attributes;
using InviteStream.Core.Dispatch;
using InviteStream.Engagement.Authentication;
using Microsoft.Extensions.Options;

namespace InviteStream.Engagement.Dispatch;

/// <summary>
/// Genesys Cloud's real way to make a proactive offer fire: assign the campaign's journey segment
/// to the external contact (<c>POST /api/v2/externalcontacts/contacts/{contactId}/journey/segments</c>);
/// a segment-triggered action map then offers the web messaging invite. The call can partly
/// succeed and returns the unprocessed assignments, which are sent again, and only those.
/// </summary>
internal sealed class JourneySegmentAdapter(HttpClient http, AccessTokenProvider tokens, IOptions<EngagementOptions> options, TimeProvider time)
    : IEngagementAdapter
{
    private const int MaxPasses = 3;

    public async Task<AdapterResponse> SendAsync(InviteRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.Value;
        if (!settings.SegmentIds.TryGetValue(request.Campaign.Id, out var segmentId))
        {
            return AdapterResponse.Final(new DispatchResult(DispatchStatus.Failed, "no_segment_for_campaign"), 0);
        }

        var contactId = ExternalContactId(request, settings);
        IReadOnlyList<string> pending = [segmentId];
        for (var pass = 0; pass < MaxPasses && pending.Count > 0; pass++)
        {
            using var response = await PostAsync(contactId, pending, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return await HttpErrors.InterpretAsync(response, time, cancellationToken);
            }

            pending = await UnprocessedAsync(response, cancellationToken);
        }

        return pending.Count == 0
            ? AdapterResponse.Final(DispatchResult.Delivered)
            : AdapterResponse.Final(new DispatchResult(DispatchStatus.Failed, "segment_assignment_unprocessed"));
    }

    /// <summary>Journey segments have no suppression query: frequency caps live in the action map.</summary>
    public Task<DateTimeOffset?> SuppressedUntilAsync(string contactId, CancellationToken cancellationToken) =>
        Task.FromResult<DateTimeOffset?>(null);

    internal static string ExternalContactId(InviteRequest request, EngagementOptions settings)
    {
        if (!string.IsNullOrEmpty(settings.ExternalContactIdAttribute)
            && request.EventAttributes.TryGetValue(settings.ExternalContactIdAttribute, out var value)
            && value.Kind == AttributeKind.String)
        {
            return value.AsString;
        }

        // The guide's "ext:" prefix marks an external identifier; Genesys knows the bare id.
        return request.ContactId.StartsWith("ext:", StringComparison.Ordinal) ? request.ContactId[4..] : request.ContactId;
    }

    private async Task<HttpResponseMessage> PostAsync(string contactId, IReadOnlyList<string> segmentIds, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("assign");
            writer.WriteStartArray("segments");
            foreach (var id in segmentIds)
            {
                writer.WriteStartObject();
                writer.WriteString("id", id);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        var body = buffer.ToArray();
        var token = await tokens.GetTokenAsync(cancellationToken);
        var response = await SendAsync(contactId, body, token, cancellationToken);
        if (response.StatusCode != System.Net.HttpStatusCode.Unauthorized)
        {
            return response;
        }

        response.Dispose();
        return await SendAsync(contactId, body, await tokens.RenewAsync(token, cancellationToken), cancellationToken);
    }

    private async Task<HttpResponseMessage> SendAsync(string contactId, byte[] body, string token, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, $"api/v2/externalcontacts/contacts/{Uri.EscapeDataString(contactId)}/journey/segments");
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        message.Content = new ByteArrayContent(body);
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await http.SendAsync(message, cancellationToken);
    }

    private static async Task<IReadOnlyList<string>> UnprocessedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        using var document = JsonDocument.Parse(text);
        if (!document.RootElement.TryGetProperty("unprocessedItems", out var unprocessed) || unprocessed.ValueKind != JsonValueKind.Object
            || !unprocessed.TryGetProperty("assign", out var assign) || assign.ValueKind != JsonValueKind.Object
            || !assign.TryGetProperty("segments", out var segments) || segments.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return [.. segments.EnumerateArray()
            .Where(s => s.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
            .Select(s => s.GetProperty("id").GetString()!)];
    }
}
