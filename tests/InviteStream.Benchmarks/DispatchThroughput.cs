using System.Diagnostics;
using System.Globalization;
using InviteStream.Core.Attributes;
using InviteStream.Core.Dispatch;
using InviteStream.Engagement;
using InviteStream.Simulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace InviteStream.Benchmarks;

/// <summary>
/// Invites per second through the whole dispatcher (limiters, resilience pipeline, OAuth, HTTP)
/// against the simulator with zero latency and caps far above the load, next to a raw HttpClient
/// posting the same payload to the same endpoint with the same concurrency, in the same run.
/// </summary>
internal static class DispatchThroughput
{
    public static async Task RunAsync(int requests, int inFlight)
    {
        var campaign = BenchmarkData.Guide() with { Throttling = new Core.Campaigns.Throttling(1, 86400, 10_000_000) };
        await using var simulator = await SimulatorServer.StartAsync(
            new SimulatorOptions { ClientId = "bench", ClientSecret = "bench-secret", RequestsPerMinute = int.MaxValue }, [campaign]);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Engagement:BaseUrl"] = simulator.BaseUrl.ToString(),
            ["Engagement:ClientId"] = "bench",
            ["Engagement:ClientSecret"] = "bench-secret",
            ["Engagement:ApiRequestsPerMinute"] = "1000000",
        });
        builder.Logging.ClearProviders();
        builder.AddEngagement();
        using var host = builder.Build();
        await host.StartAsync();
        var dispatcher = host.Services.GetRequiredService<IInviteDispatcher>();

        // Warm up both paths (JIT, connections, token).
        await RunConcurrentlyAsync(500, inFlight, i => dispatcher.DispatchAsync(Request(campaign, $"warm-{i}"), CancellationToken.None));
        using var raw = new HttpClient { BaseAddress = simulator.BaseUrl };
        var token = await RawTokenAsync(raw);
        await RunConcurrentlyAsync(500, inFlight, i => RawPostAsync(raw, token, campaign.Id, $"rawwarm-{i}"));

        var rawRate = await RunConcurrentlyAsync(requests, inFlight, i => RawPostAsync(raw, token, campaign.Id, $"raw-{i}"));
        var dispatchRate = await RunConcurrentlyAsync(requests, inFlight, i => dispatcher.DispatchAsync(Request(campaign, $"c-{i}"), CancellationToken.None));

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"requests={requests} in_flight={inFlight}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"raw_http_requests_per_s={rawRate:F0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dispatch_requests_per_s={dispatchRate:F0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio_dispatch={dispatchRate / rawRate:F2}"));
        await host.StopAsync();
    }

    internal static async Task<double> RunConcurrentlyAsync<T>(int count, int inFlight, Func<int, Task<T>> call)
    {
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await call(i);
            }
        }));
        return count / clock.Elapsed.TotalSeconds;
    }

    private static InviteRequest Request(Core.Campaigns.Campaign campaign, string contactId)
    {
        var now = TimeProvider.System.GetUtcNow();
        var data = BenchmarkData.Event(0.87).Attributes;
        return new InviteRequest(campaign, contactId, "webchat:primary_embed", data, now, contactId, null, now.AddSeconds(30), data);
    }

    internal static async Task<string> RawTokenAsync(HttpClient http)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "oauth/token")
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]),
        };
        request.Headers.Authorization = new("Basic", Convert.ToBase64String("bench:bench-secret"u8.ToArray()));
        using var response = await http.SendAsync(request);
        using var document = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("access_token").GetString()!;
    }

    internal static async Task<int> RawPostAsync(HttpClient http, string token, string campaignId, string contactId)
    {
        var now = TimeProvider.System.GetUtcNow();
        var data = BenchmarkData.Event(0.87).Attributes;
        var body = Engagement.Dispatch.GuideApiAdapter.TriggerPayload(
            new InviteRequest(BenchmarkData.Guide(), contactId, "webchat:primary_embed", data, now, contactId, null, now, data));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v2/analytics/predictiveengagement/campaigns/{campaignId}/trigger")
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(request);
        return (int)response.StatusCode;
    }
}
