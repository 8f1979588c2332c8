using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using InviteStream.Core.Campaigns;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using InviteStream.Core;

namespace InviteStream.Simulator;

/// <summary>
/// A simulator of the guide's Predictive Engagement API on loopback: OAuth client credentials,
/// campaign upsert, trigger with strict filter evaluation and consolidated suppression, the
/// contact suppression query, a per-client rate limit, and a ledger of delivered invites
/// (<c>GET /_sim/invites</c>). For development and tests only.
/// </summary>
public sealed class SimulatorServer : IAsyncDisposable
{
    private const string ApiRoot = "/api/v2/analytics/predictiveengagement";
    private readonly WebApplication _app;
    private readonly WebApplication _login;

    private SimulatorServer(WebApplication app, WebApplication login, EngagementState state, FaultInjector faults, SimulatorCounters counters, Uri baseUrl, Uri loginUrl)
    {
        _app = app;
        _login = login;
        State = state;
        _faults = faults;
        Counters = counters;
        BaseUrl = baseUrl;
        LoginUrl = loginUrl;
    }

    private readonly FaultInjector _faults;

    /// <summary>The faults injected now; replace them to change behaviour mid-test.</summary>
    public SimulatorFaults Faults
    {
        get => _faults.Current;
        set => _faults.Current = value;
    }

    public SimulatorCounters Counters { get; }

    /// <summary>The API listener (Genesys: <c>https://api.{region}</c>). It also issues tokens at <c>/oauth/token</c>, as the guide's API does.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The login listener, a host of its own as Genesys' <c>https://login.{region}</c>: it only issues tokens, at <c>/oauth/token</c>.</summary>
    public Uri LoginUrl { get; }

    public EngagementState State { get; }

    public static async Task<SimulatorServer> StartAsync(
        SimulatorOptions options, IEnumerable<Campaign> campaigns, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(campaigns);
        time ??= TimeProvider.System;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://{options.Host}:{options.Port}");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(time);
        var app = builder.Build();

        var state = new EngagementState(time);
        foreach (var campaign in campaigns)
        {
            state.Upsert(campaign);
        }

        var faults = new FaultInjector(options.Faults, time);
        var counters = new SimulatorCounters();
        var tokens = new ConcurrentDictionary<string, (string ClientId, DateTimeOffset ExpiresAt)>(StringComparer.Ordinal);
        Map(app, options, state, faults, counters, tokens, time);

        var loginBuilder = WebApplication.CreateSlimBuilder();
        loginBuilder.WebHost.UseUrls($"http://{options.Host}:{options.LoginPort}");
        loginBuilder.Logging.ClearProviders();
        var login = loginBuilder.Build();
        MapTokenEndpoint(login, options, counters, tokens, time);

        await app.StartAsync(cancellationToken);
        await login.StartAsync(cancellationToken);
        return new SimulatorServer(app, login, state, faults, counters, AddressOf(app), AddressOf(login));
    }

    public async ValueTask DisposeAsync()
    {
        await _login.StopAsync();
        await _login.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static Uri AddressOf(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/");

    // OAuth 2 client credentials as Genesys issues them: form body, HTTP Basic client authentication.
    private static void MapTokenEndpoint(
        WebApplication app, SimulatorOptions options, SimulatorCounters counters, ConcurrentDictionary<string, (string ClientId, DateTimeOffset ExpiresAt)> tokens, TimeProvider time)
    {
        app.MapPost("/oauth/token", async (HttpRequest request) =>
        {
            Interlocked.Increment(ref counters.TokenRequests);
            var form = request.HasFormContentType ? await request.ReadFormAsync() : null;
            if (form is null || form["grant_type"].ToString() != "client_credentials")
            {
                return Results.Json(new { error = "unsupported_grant_type" }, statusCode: 400);
            }

            if (!TryBasicCredentials(request, out var clientId, out var secret)
                || !FixedTimeEquals(clientId, options.ClientId) || !FixedTimeEquals(secret, options.ClientSecret))
            {
                return Results.Json(new { error = "invalid_client" }, statusCode: 401);
            }

            var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
            tokens[token] = (clientId, time.GetUtcNow() + options.TokenLifetime);
            return Results.Json(new Dictionary<string, object>
            {
                ["access_token"] = token,
                ["token_type"] = "bearer",
                ["expires_in"] = (long)options.TokenLifetime.TotalSeconds,
            });
        });
    }

    private static void Map(
        WebApplication app, SimulatorOptions options, EngagementState state, FaultInjector faults, SimulatorCounters counters,
        ConcurrentDictionary<string, (string ClientId, DateTimeOffset ExpiresAt)> tokens, TimeProvider time)
    {
        var rateLimit = new ClientRateLimit(options.RequestsPerMinute, time);

        // Every call to the API, answered or refused: what a client's own budget must have counted.
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/api"))
            {
                Interlocked.Increment(ref counters.ApiRequests);
            }

            await next(context);
        });

        MapTokenEndpoint(app, options, counters, tokens, time);

        app.MapPost($"{ApiRoot}/campaigns", async (HttpRequest request) =>
        {
            if (Authenticate(request) is null)
            {
                return Unauthorized();
            }

            using var reader = new StreamReader(request.Body);
            var (campaign, diagnostics) = CampaignReader.Read(await reader.ReadToEndAsync(), "request body");
            if (campaign is null)
            {
                return Results.Json(new { code = "bad.request", errors = diagnostics.Select(d => d.ToString()) }, statusCode: 400);
            }

            var existed = state.TryGetCampaign(campaign.Id, out _);
            if (!state.TryUpsert(campaign, out var unreadable))
            {
                return Results.Json(new { code = "bad.request", errors = new[] { unreadable } }, statusCode: 400);
            }

            return Results.Json(campaign.Definition, statusCode: existed ? 200 : 201);
        });

        // A listing in pages, as Genesys lists (pageSize up to 100, default 25; pageNumber from 1), each
        // campaign with the fields a server adds to what it was given.
        app.MapGet($"{ApiRoot}/campaigns", (HttpRequest request, int? pageSize, int? pageNumber) =>
        {
            if (Authenticate(request) is null)
            {
                return Unauthorized();
            }

            var size = Math.Clamp(pageSize ?? 25, 1, 100);
            var number = Math.Max(pageNumber ?? 1, 1);
            var all = state.Campaigns.OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
            return Results.Json(new
            {
                entities = all.Skip((number - 1) * size).Take(size).Select(c => WithServerFields(c.Definition, $"{ApiRoot}/campaigns/{c.Id}")),
                pageSize = size,
                pageNumber = number,
                total = all.Count,
                pageCount = (all.Count + size - 1) / size,
            });
        });

        app.MapPost($"{ApiRoot}/campaigns/{{campaignId}}/trigger", async (string campaignId, HttpRequest request, HttpResponse response) =>
        {
            var clientId = Authenticate(request);
            if (clientId is null)
            {
                return Unauthorized();
            }

            var receivedAt = time.GetUtcNow();
            Interlocked.Increment(ref counters.TriggerRequests);
            var (allowed, remaining, resetAt) = rateLimit.Take(clientId);
            response.Headers["X-RateLimit-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
            response.Headers["X-RateLimit-Reset"] = resetAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            JsonDocument body;
            try
            {
                body = await JsonDocument.ParseAsync(request.Body);
            }
            catch (JsonException)
            {
                return Results.Json(new { code = "bad.request", message = "body is not JSON" }, statusCode: 400);
            }

            using (body)
            {
                var root = body.RootElement;
                if (allowed && await faults.ApplyAsync(response, request.HttpContext.RequestAborted) is { } injected)
                {
                    state.Record(new ReceivedTrigger(campaignId, root.Clone(), response.StatusCode, null, receivedAt));
                    return injected;
                }

                if (!allowed)
                {
                    var retryAfter = Math.Max(1, (int)Math.Ceiling((resetAt - time.GetUtcNow()).TotalSeconds));
                    response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                    state.Record(new ReceivedTrigger(campaignId, root.Clone(), 429, null, receivedAt));
                    return Results.Json(new { code = "too.many.requests.retry.after", message = "Rate limit exceeded" }, statusCode: 429);
                }

                if (!state.TryGetCampaign(campaignId, out var campaign))
                {
                    state.Record(new ReceivedTrigger(campaignId, root.Clone(), 404, null, receivedAt));
                    return Results.Json(new { code = "not.found", message = $"campaign {campaignId} not found" }, statusCode: 404);
                }

                if (root.ValueKind != JsonValueKind.Object
                    || !root.TryGetProperty("contactId", out var contact) || contact.ValueKind != JsonValueKind.String
                    || !root.TryGetProperty("channelId", out var channel) || channel.ValueKind != JsonValueKind.String
                    || !root.TryGetProperty("sessionData", out var sessionData) || sessionData.ValueKind != JsonValueKind.Object)
                {
                    state.Record(new ReceivedTrigger(campaignId, root.Clone(), 400, null, receivedAt));
                    return Results.Json(new { code = "bad.request", message = "contactId, channelId and sessionData are required" }, statusCode: 400);
                }

                var context = root.TryGetProperty("evaluationContext", out var ctx) && ctx.ValueKind == JsonValueKind.Object ? ctx : default;
                var answer = state.Trigger(
                    campaign, contact.GetString()!, channel.GetString()!, sessionData,
                    OptionalString(context, "requestId"), OptionalString(context, "correlationId"));
                state.Record(new ReceivedTrigger(campaignId, root.Clone(), 200, answer.Status, receivedAt));
                return Results.Json(new Dictionary<string, object?>
                {
                    ["status"] = answer.Status,
                    ["campaignId"] = campaignId,
                    ["contactId"] = contact.GetString(),
                    ["expiresAt"] = answer.ExpiresAt is { } expiresAt ? IsoTimestamp.Format(expiresAt) : null,
                });
            }
        });

        app.MapGet($"{ApiRoot}/contacts/{{contactId}}/suppression", (string contactId, HttpRequest request) =>
        {
            if (Authenticate(request) is null)
            {
                return Unauthorized();
            }

            Interlocked.Increment(ref counters.SuppressionRequests);

            var until = state.SuppressedUntil(contactId);
            return Results.Json(new Dictionary<string, object?>
            {
                ["contactId"] = contactId,
                ["suppressed"] = until is not null,
                ["expiresAt"] = until is { } expiry ? IsoTimestamp.Format(expiry) : null,
            });
        });

        JourneyEndpoints.Map(app, options, state, faults, counters, rateLimit, Authenticate, time);

        app.MapGet("/_sim/faults", () => Results.Json(faults.Current));
        app.MapPost("/_sim/faults", (SimulatorFaults changed) =>
        {
            faults.Current = changed;
            return Results.Json(faults.Current);
        });
        app.MapPost("/_sim/tokens/expire", () =>
        {
            tokens.Clear();
            return Results.NoContent();
        });
        app.MapGet("/_sim/segments", () => Results.Json(state.SegmentAssignments));
        app.MapGet("/_sim/stats", () => Results.Json(counters));
        app.MapGet("/_sim/invites", () => Results.Json(state.Ledger));
        app.MapGet("/_sim/triggers", () => Results.Json(state.Received));

        string? Authenticate(HttpRequest request)
        {
            if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header)
                || !string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase)
                || header.Parameter is null
                || !tokens.TryGetValue(header.Parameter, out var issued))
            {
                return null;
            }

            return issued.ExpiresAt > time.GetUtcNow() ? issued.ClientId : null;
        }
    }

    private static Dictionary<string, JsonElement> WithServerFields(JsonElement definition, string selfUri)
    {
        var fields = definition.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
        fields["selfUri"] = JsonSerializer.SerializeToElement(selfUri);
        fields["dateModified"] = JsonSerializer.SerializeToElement("2026-01-01T00:00:00.000Z");
        return fields;
    }

    private static IResult Unauthorized() =>
        Results.Json(new { code = "authentication.required", message = "missing, unknown or expired token" }, statusCode: 401);

    private static string? OptionalString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static bool TryBasicCredentials(HttpRequest request, out string clientId, out string secret)
    {
        clientId = secret = "";
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header)
            || !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || header.Parameter is null)
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
        }
        catch (FormatException)
        {
            return false;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return false;
        }

        clientId = decoded[..colon];
        secret = decoded[(colon + 1)..];
        return true;
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
