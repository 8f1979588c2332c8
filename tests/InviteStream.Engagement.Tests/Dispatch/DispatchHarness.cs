using InviteStream.Core.Attributes;
using InviteStream.Core.Campaigns;
using InviteStream.Core.Dispatch;
using InviteStream.Engagement.RateLimiting;
using InviteStream.Simulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace InviteStream.Engagement.Tests.Dispatch;

/// <summary>The dispatcher exactly as the host wires it, against the simulator on loopback, with every log line kept.</summary>
internal sealed class DispatchHarness : IAsyncDisposable
{
    public const string Secret = "t0p-s3cret-value-never-logged";

    private readonly IHost _host;

    private DispatchHarness(IHost host, SimulatorServer simulator, Campaign campaign, FakeLogCollector logs)
    {
        _host = host;
        Simulator = simulator;
        Campaign = campaign;
        Logs = logs;
    }

    public SimulatorServer Simulator { get; }

    public Campaign Campaign { get; }

    public FakeLogCollector Logs { get; }

    public IInviteDispatcher Dispatcher => _host.Services.GetRequiredService<IInviteDispatcher>();

    public ApiBudget Budget => _host.Services.GetRequiredService<ApiBudget>();

    public static async Task<DispatchHarness> StartAsync(
        IDictionary<string, string?>? settings = null, SimulatorFaults? faults = null, string clientSecret = Secret, int simulatorRequestsPerMinute = 100_000,
        Action<SimulatorOptions>? simulatorOptions = null)
    {
        var (campaign, diagnostics) = CampaignReader.Read(GuideCampaign, "guide.json");
        Assert.That(campaign, Is.Not.Null, string.Join("; ", diagnostics));
        var options = new SimulatorOptions { ClientId = "tests", ClientSecret = Secret, RequestsPerMinute = simulatorRequestsPerMinute, Faults = faults ?? new() };
        simulatorOptions?.Invoke(options);
        var simulator = await SimulatorServer.StartAsync(options, [campaign!]);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var configuration = new Dictionary<string, string?>
        {
            // A real region, pointed at the simulator's two hosts (API and login) by the override settings, as a proxy would be.
            ["Engagement:Region"] = "mypurecloud.ie",
            ["Engagement:BaseUrl"] = simulator.BaseUrl.ToString(),
            ["Engagement:TokenUrl"] = new Uri(simulator.LoginUrl, "oauth/token").ToString(),
            ["Engagement:ClientId"] = "tests",
            ["Engagement:ClientSecret"] = clientSecret,
            ["Engagement:ApiRequestsPerMinute"] = "100000",
            ["Engagement:RetryBaseDelay"] = "00:00:00.050",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        var logs = new FakeLogCollector();
        builder.Logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs));
        builder.AddEngagement();
        var host = builder.Build();
        await host.StartAsync();
        return new DispatchHarness(host, simulator, campaign!, logs);
    }

    public InviteRequest Request(string contactId, object? churn = null, TimeSpan? deadlineIn = null, IReadOnlyDictionary<string, AttributeValue>? eventAttributes = null)
    {
        var now = TimeProvider.System.GetUtcNow();
        var churnValue = churn switch
        {
            string text => AttributeValue.FromString(text),
            null => AttributeValue.FromFloat(0.87),
            var number => AttributeValue.FromFloat(Convert.ToDouble(number, System.Globalization.CultureInfo.InvariantCulture)),
        };
        var sessionData = new Dictionary<string, AttributeValue>
        {
            ["external.churn_probability"] = churnValue,
            ["session.dwell_time_seconds"] = AttributeValue.FromInteger(52),
            ["contact.is_authenticated"] = AttributeValue.FromBoolean(true),
        };
        return new InviteRequest(
            Campaign, contactId, "webchat:primary_embed", sessionData, now, $"req-{Guid.NewGuid():N}", "corr-1",
            now + (deadlineIn ?? TimeSpan.FromSeconds(10)), eventAttributes ?? sessionData);
    }

    /// <summary>Makes the simulator forget every token it issued: the next call with one gets a 401.</summary>
    public async Task ExpireTokensAsync()
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri(Simulator.BaseUrl, "_sim/tokens/expire"), null);
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        await Simulator.DisposeAsync();
    }

    public const string GuideCampaign = """
        {
          "id": "guide", "name": "API-Driven Proactive Web Invite", "enabled": true, "evaluationMode": "realtime",
          "filters": [
            { "attributeName": "external.churn_probability", "operator": "greater_than", "value": 0.72, "dataType": "float" },
            { "attributeName": "session.dwell_time_seconds", "operator": "greater_than", "value": 45, "dataType": "integer" },
            { "attributeName": "contact.is_authenticated", "operator": "equals", "value": true, "dataType": "boolean" }
          ],
          "actions": [ { "type": "webchat_invite", "priority": 1,
            "routingConfig": { "queueId": "q", "skillGroups": ["s"], "overflowQueueId": "o" } } ],
          "throttling": { "maxInvitesPerContact": 1, "cooldownSeconds": 86400, "maxInvitesPerMinute": 100000 }
        }
        """;
}
