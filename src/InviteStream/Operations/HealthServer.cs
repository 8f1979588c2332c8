using System.Net;
using InviteStream.Engagement;
using InviteStream.Kafka.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace InviteStream.Host.Operations;

/// <summary>
/// <c>/healthz</c> (alive: the poll loop turns), <c>/readyz</c> (assigned partitions restored, a
/// broker answered lately, the API circuit not open for long) and <c>/metrics</c> (Prometheus) on
/// their own small HTTP server, so probes work whatever the worker is doing.
/// </summary>
internal sealed partial class HealthServer(
    IOptions<HealthOptions> options,
    PipelineHealth pipeline,
    DispatchHealth dispatch,
    MeterProvider meterProvider,
    TimeProvider time,
    ILogger<HealthServer> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>Where the endpoints listen, once started.</summary>
    public Uri? Address { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Parse(settings.Host), settings.Port));
        var app = builder.Build();
        app.UseOpenTelemetryPrometheusScrapingEndpoint(meterProvider, predicate: null, path: "/metrics", configureBranchedPipeline: null, optionsName: null);
        app.MapGet("/healthz", () => Alive(settings));
        app.MapGet("/readyz", () => Ready(settings));
        await app.StartAsync(cancellationToken);
        _app = app;

        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var host = settings.Host is "0.0.0.0" or "[::]" or "::" ? Dns.GetHostName() : settings.Host;
        Address = new UriBuilder(bound) { Host = host }.Uri;
        LogListening(Address);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private IResult Alive(HealthOptions settings)
    {
        var sincePoll = pipeline.SinceLastPoll;
        return sincePoll <= settings.MaxPollStall
            ? Results.Text("alive\n")
            : Results.Text($"poll loop stalled for {sincePoll.TotalSeconds:F0} s\n", statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private IResult Ready(HealthOptions settings)
    {
        var problems = new List<string>();
        if (!pipeline.IsReady)
        {
            problems.Add(pipeline.PartitionsRestoring > 0
                ? $"restoring state of {pipeline.PartitionsRestoring} partition(s)"
                : "no partitions assigned and restored yet");
        }

        if (!pipeline.BrokersReachable)
        {
            problems.Add("no Kafka broker reachable");
        }

        if (dispatch.CircuitOpenSince is { } openSince && time.GetUtcNow() - openSince > settings.MaxCircuitOpen)
        {
            problems.Add($"engagement API circuit open since {openSince:O}");
        }

        return problems.Count == 0
            ? Results.Text($"ready: {pipeline.PartitionsOwned} partition(s)\n")
            : Results.Text(string.Join('\n', problems) + "\n", statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Health endpoint: {Address}")]
    private partial void LogListening(Uri address);
}
