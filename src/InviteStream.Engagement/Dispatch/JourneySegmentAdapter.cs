using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using InviteStream.Serialization;
using InviteStream.Core.Attributes;
using InviteStream.Core.Dispatch;
using InviteStream.Engagement.Authentication;
using Microsoft.Extensions.Options;

namespace InviteStream.Engagement.Dispatch;

/// <summary>
/// Genesys Cloud's real way to make a proactive offer fire: assign the campaign's journey segment to
/// the external contact (<c>POST /api/v2/externalcontacts/contacts/{contactId}/journey/segments</c>);
/// a segment-triggered action map then offers the web messaging invite. What Genesys does next (the
/// offer made or not: frequency caps, agent availability) is the action map's, reported by Genesys
/// on <c>v2.journey.sessions.{id}.action.events</c>: a delivered outcome's reason says
/// <c>segment_assigned</c>, no more.
/// </summary>
/// <remarks>
/// One HTTP call per attempt (<see cref="DispatchProgress"/>), in this order: the contact's id by
/// identifier lookup unless known (<see cref="ExternalContactDirectory"/>), its creation when asked
/// for, a look at the contact's segments (<see cref="SegmentAlreadyAssigned"/>), an unassignment,
/// the assignment; a partial success sends again what it left unprocessed, and only that.
/// </remarks>
internal sealed class JourneySegmentAdapter(
    HttpClient http, AccessTokenProvider tokens, ExternalContactDirectory directory, IOptions<EngagementOptions> options, TimeProvider time)
    : IEngagementAdapter
{
    private const int MaxResends = 2;
    private const string UnknownContact = "unknown_contact";

    public async Task<AdapterResponse> SendAsync(InviteRequest request, DispatchProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(progress);
        var settings = options.Value;
        if (!settings.SegmentIds.TryGetValue(request.Campaign.Id, out var segmentId))
        {
            return AdapterResponse.Final(new DispatchResult(DispatchStatus.Failed, "no_segment_for_campaign"), 0);
        }

        var identifier = Identifier(request, settings);
        if (GivenContactId(request, settings) is { } given)
        {
            // The event names the contact itself: that wins over what the contact's state remembers.
            progress.ExternalContactId = given;
            progress.ContactIdFromState = false;
        }

        if (progress.ExternalContactId is null && directory.TryGet(identifier.Type, identifier.Value, out var known))
        {
            if (known is null && !settings.CreateMissingContacts)
            {
                return Rejected(UnknownContact);
            }

            progress.ExternalContactId = known;
            progress.CreatingContact |= known is null;
        }

        var token = await tokens.ForAttemptAsync(progress, cancellationToken);
        using var response = progress switch
        {
            { ExternalContactId: null, CreatingContact: false } => await SendAsync(HttpMethod.Post, "api/v2/externalcontacts/identifierlookup/contacts", IdentifierBody(identifier), token, cancellationToken),
            { ExternalContactId: null } => await SendAsync(HttpMethod.Post, "api/v2/externalcontacts/contacts", ContactBody(identifier), token, cancellationToken),
            { SegmentsChecked: false } when settings.SegmentAlreadyAssigned != SegmentAlreadyAssigned.Extend => await SendAsync(HttpMethod.Get, SegmentsPath(progress), null, token, cancellationToken),
            { UnassignFirst: true } => await SendAsync(HttpMethod.Post, SegmentsPath(progress), SegmentsBody("unassign", [segmentId]), token, cancellationToken),
            _ => await SendAsync(HttpMethod.Post, SegmentsPath(progress), SegmentsBody("assign", progress.PendingSegments ?? [segmentId]), token, cancellationToken),
        };

        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            return AccessTokenProvider.Refused(progress, token);
        }

        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return NotFound(progress, identifier, settings);
        }

        if (!response.IsSuccessStatusCode)
        {
            return await HttpErrors.InterpretAsync(response, time, cancellationToken);
        }

        using var body = await ReadAsync(response, cancellationToken);
        switch (progress)
        {
            case { ExternalContactId: null }:
                if (Text(body.RootElement, "id") is not { } id)
                {
                    return AdapterResponse.Final(new DispatchResult(DispatchStatus.Failed, "contact_without_id"), (int)response.StatusCode);
                }

                directory.Remember(identifier.Type, identifier.Value, id);
                progress.ExternalContactId = id;
                progress.CreatingContact = false;
                return AdapterResponse.Continue((int)response.StatusCode, "contact_found_not_assigned", immediate: true);

            case { SegmentsChecked: false } when settings.SegmentAlreadyAssigned != SegmentAlreadyAssigned.Extend:
                progress.SegmentsChecked = true;
                if (HeldUntil(body.RootElement, segmentId) is not { } heldUntil)
                {
                    return AdapterResponse.Continue((int)response.StatusCode, "segments_checked_not_assigned", immediate: true);
                }

                if (settings.SegmentAlreadyAssigned == SegmentAlreadyAssigned.Report)
                {
                    return AdapterResponse.Final(new DispatchResult(DispatchStatus.Suppressed, "segment_already_assigned", heldUntil), (int)response.StatusCode);
                }

                progress.UnassignFirst = true;
                return AdapterResponse.Continue((int)response.StatusCode, "segments_checked_not_assigned", immediate: true);

            case { UnassignFirst: true }:
                progress.UnassignFirst = false;
                return AdapterResponse.Continue((int)response.StatusCode, "segment_unassigned_not_assigned", immediate: true);
        }

        var unprocessed = Unprocessed(body.RootElement);
        if (unprocessed.Count == 0)
        {
            return AdapterResponse.Final(new DispatchResult(DispatchStatus.Delivered, "segment_assigned"));
        }

        if (progress.Resends >= MaxResends)
        {
            return AdapterResponse.Final(new DispatchResult(DispatchStatus.Failed, "segment_assignment_unprocessed"), (int)response.StatusCode);
        }

        progress.Resends++;
        progress.PendingSegments = unprocessed;
        return AdapterResponse.Continue((int)response.StatusCode, "segment_assignment_unprocessed");
    }

    /// <summary>Journey segments have no suppression query: frequency caps live in the action map.</summary>
    public Task<DateTimeOffset?> SuppressedUntilAsync(string contactId, CancellationToken cancellationToken) =>
        Task.FromResult<DateTimeOffset?>(null);

    /// <summary>The identifier Genesys knows the contact by: the configured attribute's value, else the contactId without its <c>ext:</c> prefix.</summary>
    internal static (string Type, string Value) Identifier(InviteRequest request, EngagementOptions settings)
    {
        if (!string.IsNullOrEmpty(settings.ContactIdentifierAttribute)
            && request.EventAttributes.TryGetValue(settings.ContactIdentifierAttribute, out var value)
            && value.Kind == AttributeKind.String)
        {
            return (settings.ContactIdentifierType, value.AsString);
        }

        return (settings.ContactIdentifierType, request.ContactId.StartsWith("ext:", StringComparison.Ordinal) ? request.ContactId[4..] : request.ContactId);
    }

    // An event may carry the Genesys contact id itself: then there is nothing to look up.
    private static string? GivenContactId(InviteRequest request, EngagementOptions settings) =>
        !string.IsNullOrEmpty(settings.ExternalContactIdAttribute)
        && request.EventAttributes.TryGetValue(settings.ExternalContactIdAttribute, out var value)
        && value.Kind == AttributeKind.String
            ? value.AsString
            : null;

    // A lookup that finds no contact, or a contact gone since it was found (merged, deleted).
    private AdapterResponse NotFound(DispatchProgress progress, (string Type, string Value) identifier, EngagementOptions settings)
    {
        if (progress.ContactIdFromState)
        {
            // The contact's state named a contact Genesys no longer has: find it again.
            progress.ContactIdFromState = false;
            progress.ExternalContactId = null;
            progress.SegmentsChecked = false;
            return AdapterResponse.Continue(404, UnknownContact, immediate: true);
        }

        if (progress.ExternalContactId is null && !progress.CreatingContact && settings.CreateMissingContacts)
        {
            progress.CreatingContact = true;
            return AdapterResponse.Continue(404, UnknownContact, immediate: true);
        }

        directory.Remember(identifier.Type, identifier.Value, null);
        return Rejected(UnknownContact);
    }

    private static AdapterResponse Rejected(string reason) => AdapterResponse.Final(new DispatchResult(DispatchStatus.NotEligible, reason), 404);

    private static string SegmentsPath(DispatchProgress progress) =>
        $"api/v2/externalcontacts/contacts/{Uri.EscapeDataString(progress.ExternalContactId!)}/journey/segments";

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, byte[]? body, string token, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(method, path);
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            message.Content = new ByteArrayContent(body);
            message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        return await http.SendAsync(message, cancellationToken);
    }

    private static byte[] IdentifierBody((string Type, string Value) identifier) => Json(writer =>
    {
        writer.WriteString("type", identifier.Type);
        writer.WriteString("value", identifier.Value);
    });

    private static byte[] ContactBody((string Type, string Value) identifier) => Json(writer =>
    {
        writer.WriteStartArray("identifiers");
        writer.WriteStartObject();
        writer.WriteString("type", identifier.Type);
        writer.WriteString("value", identifier.Value);
        writer.WriteEndObject();
        writer.WriteEndArray();
    });

    // UpdateSegmentAssignmentRequest: {"assign": {"segments": [{"id": ...}]}} (or "unassign").
    private static byte[] SegmentsBody(string operation, IReadOnlyList<string> segmentIds) => Json(writer =>
    {
        writer.WriteStartObject(operation);
        writer.WriteStartArray("segments");
        foreach (var id in segmentIds)
        {
            writer.WriteStartObject();
            writer.WriteString("id", id);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    private static byte[] Json(Action<Utf8JsonWriter> writeProperties)
    {
        return JsonBytes.Write(writeProperties, static (writer, writeProperties) =>
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        });
    }

    private static async Task<JsonDocument> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "{}" : text);
    }

    // The listing's entry for the segment, if the contact holds it: until when (dateForUnassignment).
    private DateTimeOffset? HeldUntil(JsonElement listing, string segmentId)
    {
        if (!listing.TryGetProperty("entities", out var entities) || entities.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var assignment in entities.EnumerateArray())
        {
            if (assignment.TryGetProperty("segment", out var segment) && Text(segment, "id") == segmentId)
            {
                var until = Text(assignment, "dateForUnassignment") is { } text && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var parsed)
                    ? parsed
                    : DateTimeOffset.MaxValue;
                if (until > time.GetUtcNow())
                {
                    return until;
                }
            }
        }

        return null;
    }

    private static List<string> Unprocessed(JsonElement root) =>
        root.TryGetProperty("unprocessedItems", out var unprocessed) && unprocessed.ValueKind == JsonValueKind.Object
        && unprocessed.TryGetProperty("assign", out var assign) && assign.ValueKind == JsonValueKind.Object
        && assign.TryGetProperty("segments", out var segments) && segments.ValueKind == JsonValueKind.Array
            ? [.. segments.EnumerateArray().Select(s => Text(s, "id")).OfType<string>()]
            : [];

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
