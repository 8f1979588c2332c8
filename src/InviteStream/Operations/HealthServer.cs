using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace InviteStream.Operations;

/// <summary>
/// <c>/healthz</c> (the health checks tagged <see cref="HealthTags.Live"/>), <c>/readyz</c> (those
/// tagged <see cref="HealthTags.Ready"/>) and <c>/metrics</c> (Prometheus) on their own small HTTP
/// server, so probes work whatever the worker is doing. The probes answer in plain text: 200
/// <c>alive</c> / <c>ready: 4 partition(s)</c>, or 503 with one reason per line.
/// </summary>
internal sealed partial class HealthServer(
    IOptions<HealthOptions> options,
    HealthCheckService healthChecks,
    MeterProvider meterProvider,
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
        app.MapGet("/healthz", (CancellationToken aborted) => ProbeAsync(HealthTags.Live, "alive", aborted));
        app.MapGet("/readyz", (CancellationToken aborted) => ProbeAsync(HealthTags.Ready, "ready", aborted));
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

    private async Task<IResult> ProbeAsync(string tag, string healthyWord, CancellationToken cancellationToken)
    {
        var report = await healthChecks.CheckHealthAsync(check => check.Tags.Contains(tag), cancellationToken);
        if (report.Status == HealthStatus.Healthy)
        {
            var details = report.Entries.Values.Select(e => e.Description).OfType<string>().ToList();
            return Results.Text(details.Count == 0 ? $"{healthyWord}\n" : $"{healthyWord}: {string.Join(", ", details)}\n");
        }

        var reasons = report.Entries
            .Where(e => e.Value.Status != HealthStatus.Healthy)
            .Select(e => e.Value.Description ?? $"{e.Key}: {e.Value.Exception?.Message ?? e.Value.Status.ToString()}");
        return Results.Text(string.Join('\n', reasons) + "\n", statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    // The command prints where it listens (once, for people); this is for whoever reads the log at Debug.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Health endpoint: {Address}")]
    private partial void LogListening(Uri address);
}
