using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using InviteStream.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace InviteStream.IntegrationTests;

/// <summary>
/// The Grafana dashboard and the alert rules against a real Prometheus (Debian's package, installed
/// by .ci/run) scraping a real worker on loopback: every panel's query parses and returns series,
/// every alert expression parses, and promtool checks the rules and runs their unit tests. The
/// dashboard cannot drift from the metrics the code exports.
/// </summary>
[TestFixture]
public sealed class GrafanaDashboardTests
{
    private static string Prometheus => File.Exists("/usr/bin/prometheus") ? "/usr/bin/prometheus" : "prometheus";

    private static string Promtool => File.Exists("/usr/bin/promtool") ? "/usr/bin/promtool" : "promtool";

    [Test]
    public async Task Promtool_checks_the_alert_rules_and_every_alert_fires_and_stays_quiet_as_its_unit_test_says()
    {
        var folder = Repository.PathOf("deploy", "prometheus");
        var (checkExit, checkOutput) = await RunAsync(Promtool, folder, "check", "rules", "invitestream-rules.yaml");
        var (testExit, testOutput) = await RunAsync(Promtool, folder, "test", "rules", "invitestream-rules.test.yaml");

        Assert.That(checkExit, Is.Zero, checkOutput);
        Assert.That(checkOutput, Does.Contain("SUCCESS: 6 rules found"));
        Assert.That(testExit, Is.Zero, testOutput);
        var alerts = Alerts().Select(a => a.Name).ToList();
        var tests = await File.ReadAllTextAsync(Path.Combine(folder, "invitestream-rules.test.yaml"));
        Assert.That(alerts.Where(a => !tests.Contains($"alertname: {a}", StringComparison.Ordinal)), Is.Empty, "a unit test per alert");
        var readme = await File.ReadAllTextAsync(Repository.PathOf("README.md"));
        Assert.That(alerts.Where(a => !readme.Contains($"| `{a}` |", StringComparison.Ordinal)), Is.Empty, "each alert has its runbook row in the README");
    }

    [Test]
    public async Task Every_panel_query_returns_series_from_a_prometheus_scraping_a_running_worker()
    {
        await using var harness = await PipelineHarness.StartAsync(2, TestCampaigns.Guide(cooldownSeconds: 1, maxInvitesPerMinute: 30));
        using var worker = harness.BuildWorker(new Dictionary<string, string?> { ["Pipeline:MaxInviteDelay"] = "00:00:03" });
        await worker.StartAsync();
        var metrics = new Uri(worker.Services.GetRequiredService<HealthServer>().Address!, "/metrics");

        var port = FreePort();
        var data = Directory.CreateTempSubdirectory("invitestream-prometheus-");
        var config = Path.Combine(data.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: invitestream
                metrics_path: /metrics
                static_configs:
                  - targets: ['{metrics.Authority}']
            """);
        using var prometheus = Process.Start(new ProcessStartInfo(
            Prometheus,
            [$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(data.FullName, "tsdb")}", $"--web.listen-address=127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var log = prometheus.StandardError.ReadToEndAsync();
        try
        {
            // Traffic all along, a batch every 2 s: a rate needs two samples of a series that moved
            // (a counter's first sample is only its start), and a paced cap of 30 a minute lets one
            // invite out every 2 s, however slow the machine is to get the first ones through.
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            await PipelineHarness.WaitUntilAsync(() => IsReady(http), TimeSpan.FromSeconds(30), "Prometheus answers");
            using var stopTraffic = new CancellationTokenSource();
            var traffic = Task.Run(async () =>
            {
                for (var round = 0; !stopTraffic.IsCancellationRequested; round++)
                {
                    await harness.ProduceAsync(Traffic(round));
                    await Task.Delay(TimeSpan.FromSeconds(2), stopTraffic.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                }
            });

            var panels = Panels().ToList();
            Assert.That(panels, Has.Count.GreaterThanOrEqualTo(14));
            var deadline = TimeProvider.System.GetUtcNow().AddSeconds(90);
            List<string> empty;
            while ((empty = [.. panels.Where(p => SeriesOf(http, p.Expr) == 0).Select(p => $"{p.Title}: {p.Expr}")]).Count > 0 && TimeProvider.System.GetUtcNow() < deadline)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }

            await stopTraffic.CancelAsync();
            await traffic;
            Assert.That(empty, Is.Empty, "panels whose query returned no series");

            foreach (var (name, expr) in Alerts())
            {
                Assert.That(() => SeriesOf(http, expr), Throws.Nothing, $"{name} parses");
            }
        }
        catch (Exception ex) when (ex is not AssertionException)
        {
            prometheus.Kill();
            throw new InvalidOperationException($"{ex.Message}{Environment.NewLine}prometheus: {await log}", ex);
        }
        finally
        {
            if (!prometheus.HasExited)
            {
                prometheus.Kill();
            }

            await prometheus.WaitForExitAsync();
            await worker.StopAsync();
            data.Delete(recursive: true);
        }
    }

    // Matching events for a campaign capped at 30 a minute, paced one per 2 s (some delivered, most throttled), strings where
    // numbers belong (type_mismatch), events without dwell time (missing), and records that are not JSON.
    private static List<(string? Key, string Value)> Traffic(int round)
    {
        var now = TimeProvider.System.GetUtcNow();
        var records = new List<(string?, string)>();
        for (var i = 0; i < 20; i++)
        {
            var contact = $"ext:dash-{round}-{i}";
            records.Add((contact, TestEvents.Event($"d{round}-{i}", contact, now, 0.9)));
            records.Add((contact, TestEvents.Event($"t{round}-{i}", contact, now, "0.9")));
            records.Add((contact, TestEvents.Event($"m{round}-{i}", contact, now, 0.9, dwell: null)));
            records.Add((contact, "{not json"));
        }

        return records;
    }

    private static bool IsReady(HttpClient http)
    {
        try
        {
            using var response = http.GetAsync("-/ready").GetAwaiter().GetResult();
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static int SeriesOf(HttpClient http, string expr)
    {
        using var response = http.GetAsync($"api/v1/query?query={Uri.EscapeDataString(expr)}").GetAwaiter().GetResult();
        var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        using var document = JsonDocument.Parse(body);
        if (document.RootElement.GetProperty("status").GetString() != "success")
        {
            throw new InvalidOperationException($"{expr}: {body}");
        }

        // A quantile of a histogram with no new observations in the window is NaN: no data, as an empty result.
        return document.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .Count(r => r.GetProperty("value")[1].GetString() is not ("NaN" or null));
    }

    private static IEnumerable<(string Title, string Expr)> Panels()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Repository.PathOf("deploy", "grafana", "invitestream.json")));
        foreach (var panel in document.RootElement.GetProperty("panels").EnumerateArray())
        {
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                yield return (panel.GetProperty("title").GetString()!, target.GetProperty("expr").GetString()!);
            }
        }
    }

    private static IEnumerable<(string Name, string Expr)> Alerts()
    {
        var yaml = new YamlDotNet.RepresentationModel.YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Repository.PathOf("deploy", "prometheus", "invitestream-rules.yaml"))));
        var root = (YamlDotNet.RepresentationModel.YamlMappingNode)yaml.Documents[0].RootNode;
        foreach (YamlDotNet.RepresentationModel.YamlMappingNode group in (YamlDotNet.RepresentationModel.YamlSequenceNode)root["groups"])
        {
            foreach (YamlDotNet.RepresentationModel.YamlMappingNode rule in (YamlDotNet.RepresentationModel.YamlSequenceNode)group["rules"])
            {
                yield return (rule["alert"].ToString(), rule["expr"].ToString());
            }
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string folder, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
