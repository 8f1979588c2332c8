using InviteStream.Host.Commands;

namespace InviteStream.IntegrationTests;

/// <summary>Bad settings stop the start with one message per setting, naming it as it is written in configuration.</summary>
[TestFixture]
public sealed class ConfigurationValidationTests
{
    private static async Task<(int ExitCode, string Error)> RunAsync(params string[] settings)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var campaigns = new DirectoryInfo(Path.Combine(AppContext.BaseDirectory, "campaigns"));
        var exitCode = await RunCommand.RunAsync(campaigns, settings, output, error, CancellationToken.None);
        return (exitCode, error.ToString());
    }

    [Test]
    public async Task Every_invalid_setting_is_named_and_the_worker_does_not_start()
    {
        var (exitCode, error) = await RunAsync(
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

    [Test]
    public async Task A_value_of_the_wrong_type_is_named_with_its_setting()
    {
        var (exitCode, error) = await RunAsync(
            "--Embedded:Enabled=false",
            "--Kafka:BootstrapServers=127.0.0.1:1",
            "--Engagement:BaseUrl=http://127.0.0.1:1/",
            "--Engagement:ClientId=worker",
            "--Engagement:ClientSecret=secret",
            "--Pipeline:MaxInFlightPerPartition=many");

        Assert.That(exitCode, Is.EqualTo(ExitCodes.InvalidConfiguration), error);
        Assert.That(error, Does.Contain("'Pipeline:MaxInFlightPerPartition'"));
    }
}
