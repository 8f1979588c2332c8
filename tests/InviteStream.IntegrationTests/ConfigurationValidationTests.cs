using InviteStream.Commands;

namespace InviteStream.IntegrationTests;

/// <summary>Bad settings stop the start with one message per setting, naming it as it is written in configuration.</summary>
[TestFixture]
public sealed class ConfigurationValidationTests
{
    // Everything a worker without embedded stand-ins needs; the broker and API are never reached.
    private static readonly string[] Configured =
    [
        "--Embedded:Enabled=false",
        "--Kafka:BootstrapServers=127.0.0.1:1",
        "--Engagement:BaseUrl=http://127.0.0.1:1/",
        "--Engagement:ClientId=worker",
        "--Engagement:ClientSecret=secret",
    ];

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] settings)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var campaigns = new DirectoryInfo(Path.Combine(AppContext.BaseDirectory, "campaigns"));
        var exitCode = await RunCommand.RunAsync(campaigns, settings, output, error, CancellationToken.None);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Test]
    public async Task Every_invalid_setting_is_named_and_the_worker_does_not_start()
    {
        var (exitCode, _, error) = await RunAsync(
            "--Embedded:Enabled=false",
            "--Engagement:BaseUrl=engine.example/api",
            "--Engagement:ClientId=worker",
            "--Engagement:ClientSecret=s3cr3t-not-to-be-printed",
            "--Engagement:ApiRequestsPerMinute=-1",
            "--Engagement:MaxRetries=99",
            "--Pipeline:MaxInFlightPerPartition=-5",
            "--Pipeline:MaxEventAge=-00:00:01",
            "--Serialization:Format=Avro");

        Assert.That(exitCode, Is.EqualTo(ExitCodes.InvalidConfiguration), error);
        Assert.Multiple(() =>
        {
            Assert.That(error, Does.Contain("Kafka:BootstrapServers is required"));
            Assert.That(error, Does.Contain("Engagement:BaseUrl must be an absolute http(s) URL"));
            Assert.That(error, Does.Contain("Engagement:ApiRequestsPerMinute must be between 1 and 1000000 (was -1)"));
            Assert.That(error, Does.Contain("Engagement:MaxRetries must be between 0 and 20 (was 99)"));
            Assert.That(error, Does.Contain("Pipeline:MaxInFlightPerPartition must be between 1 and 10000 (was -5)"));
            Assert.That(error, Does.Contain("Pipeline:MaxEventAge must be between"));
            Assert.That(error, Does.Contain("Serialization:SchemaRegistryUrl is required when Serialization:Format is Avro"));
            Assert.That(error, Does.Not.Contain("s3cr3t-not-to-be-printed"));
        });
    }

    [TestCase("https://api.mypurecloud.ie")]
    [TestCase("api.mypurecloud.ie/")]
    [TestCase("MyPureCloud.ie")]
    [TestCase("localhost")]
    public async Task A_region_that_is_not_a_domain_is_named(string region)
    {
        var (exitCode, _, error) = await RunAsync(
            "--Embedded:Enabled=false", "--Kafka:BootstrapServers=127.0.0.1:1", $"--Engagement:Region={region}", "--Engagement:ClientId=worker", "--Engagement:ClientSecret=secret");

        Assert.That(exitCode, Is.EqualTo(ExitCodes.InvalidConfiguration), error);
        Assert.That(error, Does.Contain("Engagement:Region must be a Genesys Cloud region's domain, such as mypurecloud.com"));
    }

    [Test]
    public async Task Without_embedded_stand_ins_a_region_or_a_base_url_is_required()
    {
        var (exitCode, _, error) = await RunAsync(
            "--Embedded:Enabled=false", "--Kafka:BootstrapServers=127.0.0.1:1", "--Engagement:ClientId=worker", "--Engagement:ClientSecret=secret");

        Assert.That(exitCode, Is.EqualTo(ExitCodes.InvalidConfiguration), error);
        Assert.That(error, Does.Contain("Engagement:Region (e.g. mypurecloud.com) or Engagement:BaseUrl is required."));
    }

    [Test]
    public async Task A_value_of_the_wrong_type_is_named_with_its_setting_and_the_value()
    {
        var (exitCode, _, error) = await RunAsync([.. Configured, "--Pipeline:MaxInFlightPerPartition=many"]);

        Assert.That(exitCode, Is.EqualTo(ExitCodes.InvalidConfiguration), error);
        Assert.That(error, Does.Contain("Invalid configuration: Pipeline:MaxInFlightPerPartition must be a whole number (was many)."));
    }

    [Test]
    public async Task Several_values_of_the_wrong_type_are_all_named_at_once()
    {
        var (exitCode, _, error) = await RunAsync(
            [.. Configured, "--Engagement:ApiRequestsPerMinute=abc", "--Kafka:GroupProtocol=Bogus", "--Pipeline:MaxEventAge=soon"]);

        Assert.That(exitCode, Is.EqualTo(ExitCodes.InvalidConfiguration), error);
        Assert.Multiple(() =>
        {
            Assert.That(error, Does.Contain("Invalid configuration: Engagement:ApiRequestsPerMinute must be a whole number (was abc)."));
            Assert.That(error, Does.Contain("Invalid configuration: Kafka:GroupProtocol must be one of Classic, Consumer (was Bogus)."));
            Assert.That(error, Does.Contain("Invalid configuration: Pipeline:MaxEventAge must be a duration such as 00:00:30 (was soon)."));
        });
    }

    [Test]
    public async Task A_type_error_a_range_error_and_a_missing_setting_are_named_together()
    {
        var (exitCode, _, error) = await RunAsync(
            "--Embedded:Enabled=false",
            "--Engagement:BaseUrl=http://127.0.0.1:1/",
            "--Engagement:ClientId=worker",
            "--Engagement:ClientSecret=secret",
            "--Engagement:ApiRequestsPerMinute=abc",
            "--Engagement:MaxRetries=99");

        Assert.That(exitCode, Is.EqualTo(ExitCodes.InvalidConfiguration), error);
        Assert.Multiple(() =>
        {
            Assert.That(error, Does.Contain("Invalid configuration: Engagement:ApiRequestsPerMinute must be a whole number (was abc)."));
            Assert.That(error, Does.Contain("Invalid configuration: Engagement:MaxRetries must be between 0 and 20 (was 99)."));
            Assert.That(error, Does.Contain("Invalid configuration: Kafka:BootstrapServers is required"));
        });
    }

    [TestCase("enable.idempotence", "false")]
    [TestCase("acks", "1")]
    [TestCase("request.required.acks", "1")]
    [TestCase("enable.auto.commit", "true")]
    [TestCase("enable.auto.offset.store", "true")]
    [TestCase("isolation.level", "read_uncommitted")]
    [TestCase("partitioner", "random")]
    [TestCase("transactional.id", "other")]
    [TestCase("group.id", "other")]
    [TestCase("group.instance.id", "other")]
    [TestCase("group.protocol", "classic")]
    [TestCase("bootstrap.servers", "127.0.0.1:2")]
    [TestCase("enable.partition.eof", "false")]
    [TestCase("max.in.flight.requests.per.connection", "1000")]
    [TestCase("max.in.flight", "1000")]
    public async Task A_client_property_the_worker_relies_on_is_refused_naming_it(string key, string value)
    {
        // The range error makes the unfixed worker stop at once too, instead of starting without the refusal.
        var (exitCode, _, error) = await RunAsync([.. Configured, $"--Kafka:Client:{key}={value}", "--Pipeline:MaxInFlightPerPartition=0"]);

        Assert.That(exitCode, Is.EqualTo(ExitCodes.InvalidConfiguration), error);
        Assert.That(error, Does.Contain($"Invalid configuration: Kafka:Client:{key} cannot be set: "));
    }

    [Test]
    public async Task The_refusal_of_enable_idempotence_says_what_the_worker_relies_on()
    {
        var (exitCode, _, error) = await RunAsync([.. Configured, "--Kafka:Client:enable.idempotence=false"]);

        Assert.That(exitCode, Is.EqualTo(ExitCodes.InvalidConfiguration), error);
        Assert.That(error, Is.EqualTo(
            "Invalid configuration: Kafka:Client:enable.idempotence cannot be set: the worker relies on its own value (idempotent producer)." + Environment.NewLine));
    }

    [Test]
    public async Task A_client_property_the_worker_does_not_rely_on_is_accepted()
    {
        var (exitCode, _, error) = await RunAsync([.. Configured, "--Kafka:Client:security.protocol=plaintext", "--Pipeline:MaxInFlightPerPartition=0"]);

        Assert.That(exitCode, Is.EqualTo(ExitCodes.InvalidConfiguration), error);
        Assert.That(error, Is.EqualTo(
            "Invalid configuration: Pipeline:MaxInFlightPerPartition must be between 1 and 10000 (was 0)." + Environment.NewLine));
    }

    [Test]
    public async Task Nothing_embedded_starts_when_a_setting_is_invalid_and_what_it_fills_in_is_not_reported_missing()
    {
        var (exitCode, output, error) = await RunAsync("--Pipeline:MaxInFlightPerPartition=0", "--Engagement:ApiRequestsPerMinute=abc");

        Assert.That(exitCode, Is.EqualTo(ExitCodes.InvalidConfiguration), error);
        Assert.Multiple(() =>
        {
            Assert.That(output, Does.Not.Contain("Kafka bootstrap servers:"));
            Assert.That(output, Does.Not.Contain("Engagement simulator:"));
            Assert.That(error, Is.EqualTo(
                "Invalid configuration: Engagement:ApiRequestsPerMinute must be a whole number (was abc)." + Environment.NewLine
                + "Invalid configuration: Pipeline:MaxInFlightPerPartition must be between 1 and 10000 (was 0)." + Environment.NewLine));
        });
    }

    [Test]
    public async Task An_embedded_setting_of_the_wrong_type_is_named_before_anything_starts()
    {
        var (exitCode, output, error) = await RunAsync("--Embedded:Enabled=maybe", "--Simulator:Faults:ErrorRate=often");

        Assert.That(exitCode, Is.EqualTo(ExitCodes.InvalidConfiguration), error);
        Assert.Multiple(() =>
        {
            Assert.That(output, Does.Not.Contain("Kafka bootstrap servers:"));
            Assert.That(error, Does.Contain("Invalid configuration: Embedded:Enabled must be true or false (was maybe)."));
            Assert.That(error, Does.Contain("Invalid configuration: Simulator:Faults:ErrorRate must be a number (was often)."));
        });
    }

    [Test]
    public async Task Campaigns_sync_names_every_invalid_engagement_setting_at_once()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var campaigns = new DirectoryInfo(Path.Combine(AppContext.BaseDirectory, "campaigns"));

        var exitCode = await CampaignsCommand.SyncAsync(
            campaigns, dryRun: true, ["--Engagement:ApiRequestsPerMinute=abc", "--Engagement:MaxRetries=99"], output, error, CancellationToken.None);

        Assert.That(exitCode, Is.EqualTo(ExitCodes.InvalidConfiguration), error.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(error.ToString(), Does.Contain("Invalid configuration: Engagement:ApiRequestsPerMinute must be a whole number (was abc)."));
            Assert.That(error.ToString(), Does.Contain("Invalid configuration: Engagement:MaxRetries must be between 0 and 20 (was 99)."));
            Assert.That(error.ToString(), Does.Contain("Invalid configuration: Engagement:ClientId is required."));
        });
    }
}
