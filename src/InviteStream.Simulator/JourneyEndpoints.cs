using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace InviteStream.Simulator;

/// <summary>
/// The real Genesys Cloud paths a journey-segment client calls, shaped as the public Platform API
/// SDKs model them: identifier lookup (<c>ContactIdentifier</c> in, <c>ExternalContact</c> out),
/// contact creation, and segment assignment (<c>UpdateSegmentAssignmentRequest</c>: assign and
/// unassign, at most ten; partial success in <c>unprocessedItems</c>) and listing
/// (<c>SegmentAssignment</c>: <c>dateAssigned</c>, <c>dateForUnassignment</c>). Every call needs a
/// token and counts against the client's per-minute budget; errors carry Genesys' error body.
/// </summary>
internal static class JourneyEndpoints
{
    private const string Contacts = "/api/v2/externalcontacts/contacts";
    private const string Segments = Contacts + "/{contactId}/journey/segments";

    public static void Map(
        WebApplication app, SimulatorOptions options, EngagementState state, FaultInjector faults, SimulatorCounters counters,
        ClientRateLimit rateLimit, Func<HttpRequest, string?> authenticate, TimeProvider time)
    {
        // The client's checks in the order Genesys makes them: token, budget, injected faults.
        async Task<IResult?> RefuseAsync(HttpRequest request, HttpResponse response)
        {
            if (authenticate(request) is not { } clientId)
            {
                return Error(401, "authentication.required", "missing, unknown or expired token");
            }

            var (allowed, _, resetAt) = rateLimit.Take(clientId);
            if (!allowed)
            {
                return faults.RateLimited(response, "RetryAfterSeconds", Math.Max(1, (int)Math.Ceiling((resetAt - time.GetUtcNow()).TotalSeconds)));
            }

            return await faults.ApplyAsync(response, request.HttpContext.RequestAborted);
        }

        app.MapPost("/api/v2/externalcontacts/identifierlookup/contacts", async (HttpRequest request, HttpResponse response) =>
        {
            if (await RefuseAsync(request, response) is { } refused)
            {
                return refused;
            }

            Interlocked.Increment(ref counters.LookupRequests);
            using var body = await JsonDocument.ParseAsync(request.Body);
            if (Text(body.RootElement, "type") is not { } type || Text(body.RootElement, "value") is not { } value)
            {
                return Error(400, "bad.request", "an identifier needs a type and a value");
            }

            var id = state.FindExternalContact(type, value) ?? (options.KnowsEveryContact ? state.AddExternalContact(type, value) : null);
            return id is null
                ? Error(404, "not.found", $"no external contact has the {type} identifier given")
                : Results.Json(Contact(id, type, value));
        });

        app.MapPost(Contacts, async (HttpRequest request, HttpResponse response) =>
        {
            if (await RefuseAsync(request, response) is { } refused)
            {
                return refused;
            }

            Interlocked.Increment(ref counters.ContactCreations);
            using var body = await JsonDocument.ParseAsync(request.Body);
            var identifier = body.RootElement.TryGetProperty("identifiers", out var identifiers) && identifiers.ValueKind == JsonValueKind.Array
                ? identifiers.EnumerateArray().FirstOrDefault()
                : default;
            if (identifier.ValueKind != JsonValueKind.Object || Text(identifier, "type") is not { } type || Text(identifier, "value") is not { } value)
            {
                return Error(400, "bad.request", "this simulator creates contacts from their first identifier");
            }

            return Results.Json(Contact(state.AddExternalContact(type, value), type, value));
        });

        app.MapPost(Segments, async (string contactId, HttpRequest request, HttpResponse response) =>
        {
            if (await RefuseAsync(request, response) is { } refused)
            {
                return refused;
            }

            Interlocked.Increment(ref counters.SegmentRequests);
            if (!state.IsExternalContact(contactId))
            {
                return Error(404, "not.found", "external contact not found");
            }

            using var body = await JsonDocument.ParseAsync(request.Body);
            var assign = SegmentIds(body.RootElement, "assign");
            var unassign = SegmentIds(body.RootElement, "unassign");
            if (assign.Count + unassign.Count > 10)
            {
                return Error(400, "bad.request", "at most 10 segment assignments and unassignments per call");
            }

            foreach (var id in unassign)
            {
                state.Unassign(contactId, id);
            }

            // Partial success: the last assignment is left unprocessed for the client to send again.
            var unprocessed = assign.Count > 0 && faults.TakeUnprocessedSegmentCall() ? assign[^1..] : [];
            foreach (var id in assign.Except(unprocessed))
            {
                state.Assign(contactId, id, options.SegmentLifetime);
            }

            return Results.Json(new
            {
                unprocessedItems = new { assign = new { segments = unprocessed.Select(id => new { id }) }, unassign = new { segments = Array.Empty<object>() } },
            });
        });

        app.MapGet(Segments, async (string contactId, HttpRequest request, HttpResponse response) =>
        {
            if (await RefuseAsync(request, response) is { } refused)
            {
                return refused;
            }

            Interlocked.Increment(ref counters.SegmentListings);
            return !state.IsExternalContact(contactId)
                ? Error(404, "not.found", "external contact not found")
                : Results.Json(new
                {
                    entities = state.SegmentAssignments.Where(a => a.ContactId == contactId).Select(a => new
                    {
                        segment = new { id = a.SegmentId },
                        externalContact = new { id = a.ContactId },
                        dateAssigned = a.AssignedAt,
                        dateForUnassignment = a.UnassignAt,
                    }),
                });
        });
    }

    private static object Contact(string id, string type, string value) => new
    {
        id,
        identifiers = new[] { new { type, value } },
        selfUri = $"{Contacts}/{id}",
    };

    private static List<string> SegmentIds(JsonElement root, string operation) =>
        root.TryGetProperty(operation, out var part) && part.ValueKind == JsonValueKind.Object
        && part.TryGetProperty("segments", out var segments) && segments.ValueKind == JsonValueKind.Array
            ? [.. segments.EnumerateArray().Select(s => Text(s, "id")).OfType<string>()]
            : [];

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    // Genesys' error body: code, message, status.
    private static IResult Error(int status, string code, string message) => Results.Json(new { code, message, status }, statusCode: status);
}
