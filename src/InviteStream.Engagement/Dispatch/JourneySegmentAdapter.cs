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
/// succeed and returns the unprocessed assignments: the next attempt (a permit and a backoff
/// later, as any call) sends those again, and only those.
/// </summary>
internal sealed class JourneySegmentAdapter(HttpClient http, AccessTokenProvider tokens, IOptions<EngagementOptions> options, TimeProvider time)
    : IEngagementAdapter
{
    public async Task<AdapterResponse> SendAsync(InviteRequest request, DispatchProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(progress);
        var settings = options.Value;
        if (!settings.SegmentIds.TryGetValue(request.Campaign.Id, out var segmentId))
        {
            return AdapterResponse.Final(new DispatchResult(DispatchStatus.Failed, "no_segment_for_campaign"), 0);
        }

        // Only what a partial success left unprocessed is sent again.
        var segments = progress.PendingSegments ?? [segmentId];
        var token = await tokens.ForAttemptAsync(progress, cancellationToken);
        using var response = await SendAsync(ExternalContactId(request, settings), AssignBody(segments), token, cancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized)
        {
            return AccessTokenProvider.Refused(progress, token);
        }

        if (!response.IsSuccessStatusCode)
        {
            return await HttpErrors.InterpretAsync(response, time, cancellationToken);
        }

        var unprocessed = await UnprocessedAsync(response, cancellationToken);
        if (unprocessed.Count == 0)
        {
            return AdapterResponse.Final(DispatchResult.Delivered);
        }

        progress.PendingSegments = unprocessed;
        return AdapterResponse.Continue((int)response.StatusCode, "segment_assignment_unprocessed");
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

    private static byte[] AssignBody(IReadOnlyList<string> segmentIds)
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

        return buffer.ToArray();
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
