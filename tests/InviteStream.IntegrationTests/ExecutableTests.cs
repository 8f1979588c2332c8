using System.Diagnostics;
using InviteStream.Commands;

namespace InviteStream.IntegrationTests;

/// <summary>The built executable, driven as a user drives it: arguments in, exit code and output out.</summary>
[TestFixture]
public sealed class ExecutableTests
{
    private static string Campaigns => Path.Combine(AppContext.BaseDirectory, "campaigns");

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments)
    {
        using var process = Process.Start(WorkerProcess.StartInfo(arguments)) ?? throw new InvalidOperationException("could not start InviteStream");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Say what it printed before it stopped moving, not only that it did.
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"InviteStream {string.Join(' ', arguments)} did not exit within 2 minutes:{Environment.NewLine}{await output}{await error}");
        }

        return (process.ExitCode, await output, await error);
    }

    [Test]
    public async Task Run_help_lists_the_options_and_how_settings_are_given()
    {
        var (exitCode, output, _) = await RunAsync("run", "--help");

        Assert.That(exitCode, Is.EqualTo(ExitCodes.Success));
        Assert.That(output, Does.Contain("--campaigns").And.Contain("--Section:Key=value"));
    }

    [TestCase("run", "--Kafka:BootstrapServers=<host:port,...>")]
    [TestCase("demo", "(default: 5000)")]
    [TestCase("dev-stack", "--Simulator:Faults:ErrorRate")]
    [TestCase("validate", "<dir>")]
    [TestCase("campaigns sync", "--dry-run")]
    [TestCase("replay", "(default: 01:00:00)")]
    [TestCase("report", "--from <from>")]
    public async Task Every_verbs_help_shows_its_usage_options_and_examples(string verb, string expected)
    {
        var (exitCode, output, _) = await RunAsync([.. verb.Split(' '), "--help"]);

        Assert.That(exitCode, Is.EqualTo(ExitCodes.Success));
        Assert.That(output, Does.Contain($"Usage:{Environment.NewLine}  InviteStream {verb}").And.Contain("Examples:").And.Contain(expected));
        Assert.That(output, Does.Not.Contain("Additional Arguments").And.Not.Contain("<additional arguments>"));
        var usage = output.Split(Environment.NewLine).SkipWhile(line => line != "Usage:").ElementAt(1);
        Assert.That(usage.Count(c => c == '['), Is.EqualTo(usage.Count(c => c == ']')), $"brackets balance in {usage}");
    }

    [Test]
    public async Task A_mistyped_verb_is_an_error_that_suggests_the_closest_one_and_starts_nothing()
    {
        var clock = Stopwatch.StartNew();
        var (exitCode, output, error) = await RunAsync("replya", "--foo");

        Assert.That(exitCode, Is.EqualTo(ExitCodes.InvalidCommandLine));
        Assert.That(error, Does.Contain("Unknown verb 'replya'. Did you mean 'replay'?"));
        Assert.That(output, Does.Not.Contain("Kafka bootstrap servers"), "no embedded broker, no worker");
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)));
    }

    [Test]
    public async Task An_unknown_option_is_an_error_and_settings_stay_accepted()
    {
        var (exitCode, output, error) = await RunAsync("run", "--bogus", "--Pipeline:MaxEventAge", "00:00:30");

        Assert.That(exitCode, Is.EqualTo(ExitCodes.InvalidCommandLine));
        Assert.That(error, Does.Contain("Unknown option '--bogus' for 'run'"));
        Assert.That(error, Does.Not.Contain("00:00:30"), "a setting's value is no option");
        Assert.That(output, Does.Not.Contain("Kafka bootstrap servers"));
    }

    [Test]
    public async Task Validate_accepts_the_sample_campaigns_and_rejects_a_broken_one_with_a_non_zero_exit()
    {
        var good = await RunAsync("validate", Campaigns);
        var broken = Directory.CreateTempSubdirectory("invitestream-exe-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(broken.FullName, "broken.json"), "{ \"id\": \"broken\" }");
            var bad = await RunAsync("validate", broken.FullName);

            Assert.Multiple(() =>
            {
                Assert.That(good.ExitCode, Is.EqualTo(ExitCodes.Success), good.Output + good.Error);
                Assert.That(good.Output, Does.Contain("2 campaign(s) valid, 0 error(s)"));
                Assert.That(bad.ExitCode, Is.EqualTo(ExitCodes.InvalidCampaigns));
                Assert.That(bad.Output + bad.Error, Does.Contain("broken.json"));
            });
        }
        finally
        {
            broken.Delete(recursive: true);
        }
    }

    [Test]
    public async Task A_short_demo_runs_end_to_end_and_prints_where_everything_listens_and_a_summary()
    {
        var (exitCode, output, error) = await RunAsync("demo", "--events", "300", "--contacts", "100", "--rate", "3000", "--campaigns", Campaigns);

        Assert.That(exitCode, Is.EqualTo(ExitCodes.Success), output + error);
        Assert.Multiple(() =>
        {
            Assert.That(output, Does.Match(@"Kafka bootstrap servers: 127\.0\.0\.1:\d+"));
            Assert.That(output, Does.Match(@"Health endpoint: http://127\.0\.0\.1:\d+"));
            Assert.That(output, Does.Contain("InviteStream demo summary"));
            Assert.That(output, Does.Match(@"\| Events read\s+\|\s+300 \|"));
        });
    }

    [Test]
    public async Task Log_lines_carry_an_iso_utc_timestamp_and_the_health_endpoint_is_printed_once()
    {
        var (exitCode, output, error) = await RunAsync(
            "demo", "--events", "50", "--contacts", "10", "--rate", "1000", "--campaigns", Campaigns, "--Logging:LogLevel:InviteStream=Information");

        Assert.That(exitCode, Is.EqualTo(ExitCodes.Success), output + error);
        var lines = (output + error).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var health = lines.Where(l => l.Contains("Health endpoint:", StringComparison.Ordinal)).ToList();
        Assert.That(health, Has.Count.EqualTo(1), string.Join('\n', health));
        Assert.That(health[0].TrimEnd(), Does.Match(@"Health endpoint: http://127\.0\.0\.1:\d+$"), "no trailing slash");
        var logLines = lines.Where(l => l.Contains(" info: ", StringComparison.Ordinal)).ToList();
        Assert.That(logLines, Is.Not.Empty, "the worker logged at Information");
        Assert.That(logLines, Has.All.Match(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z info: "), "one line each, ISO 8601 UTC first");
    }

    [Test]
    public async Task Run_with_invalid_settings_exits_with_the_configuration_code_and_names_them()
    {
        var (exitCode, _, error) = await RunAsync("run", "--campaigns", Campaigns, "--Embedded:Enabled=false", "--Pipeline:MaxInFlightPerPartition=0");

        Assert.That(exitCode, Is.EqualTo(ExitCodes.InvalidConfiguration));
        Assert.That(error, Does.Contain("Kafka:BootstrapServers is required").And.Contain("Pipeline:MaxInFlightPerPartition must be between 1 and 10000 (was 0)"));
    }

    [Test]
    public async Task Run_reports_every_value_of_the_wrong_type_at_once_before_starting_anything()
    {
        var (exitCode, output, error) = await RunAsync("run", "--campaigns", Campaigns, "--Engagement:ApiRequestsPerMinute=abc", "--Kafka:GroupProtocol=Bogus");

        Assert.That(exitCode, Is.EqualTo(ExitCodes.InvalidConfiguration), output + error);
        Assert.Multiple(() =>
        {
            Assert.That(error, Does.Contain("Invalid configuration: Engagement:ApiRequestsPerMinute must be a whole number (was abc)."));
            Assert.That(error, Does.Contain("Invalid configuration: Kafka:GroupProtocol must be one of Classic, Consumer (was Bogus)."));
            Assert.That(output, Does.Not.Contain("Kafka bootstrap servers:"));
        });
    }
}
