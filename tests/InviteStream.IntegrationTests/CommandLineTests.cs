using InviteStream.Commands;

namespace InviteStream.IntegrationTests;

[TestFixture]
public sealed class CommandLineTests
{
    [Test]
    public void The_sample_campaigns_are_valid()
    {
        using var output = new StringWriter();
        var exitCode = ValidateCommand.Validate(new DirectoryInfo(Repository.PathOf("deploy", "campaigns")), output);
        Assert.That(exitCode, Is.EqualTo(ExitCodes.Success), output.ToString());
        Assert.That(output.ToString(), Does.Contain("2 campaign(s) valid, 0 error(s)"));
    }

    [Test]
    public void Validate_names_the_file_and_json_path_of_each_error_and_exits_non_zero()
    {
        var directory = Directory.CreateTempSubdirectory("invitestream-validate-");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "broken.json"), """
                { "id": "broken", "name": "Broken", "evaluationMode": "realtime",
                  "filters": [ { "attributeName": "external.churn_probability", "operator": "greater_than", "value": "0.72", "dataType": "float" } ],
                  "actions": [ { "type": "webchat_invite", "priority": 1 } ],
                  "throttling": { "maxInvitesPerContact": 0, "cooldownSeconds": 60, "maxInvitesPerMinute": 10 } }
                """);
            using var output = new StringWriter();
            var exitCode = ValidateCommand.Validate(directory, output);
            Assert.That(exitCode, Is.EqualTo(ExitCodes.InvalidCampaigns));
            Assert.That(output.ToString(), Does.Contain("broken.json $.filters[0].value"));
            Assert.That(output.ToString(), Does.Contain("broken.json $.throttling.maxInvitesPerContact"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Run_refuses_to_start_when_a_campaign_file_has_an_error()
    {
        var directory = Directory.CreateTempSubdirectory("invitestream-run-");
        try
        {
            var guide = File.ReadAllText(Repository.PathOf("deploy", "campaigns", "api-driven-proactive-web-invite.json"));
            File.WriteAllText(Path.Combine(directory.FullName, "batch.json"), guide.Replace("\"realtime\"", "\"batch\"", StringComparison.Ordinal));
            using var output = new StringWriter();
            using var error = new StringWriter();

            var exitCode = await RunCommand.RunAsync(directory, [], output, error, CancellationToken.None);

            Assert.That(exitCode, Is.EqualTo(ExitCodes.InvalidCampaigns));
            Assert.That(error.ToString(), Does.Contain("error: batch.json $.evaluationMode:"));
            Assert.That(output.ToString(), Does.Not.Contain("Kafka bootstrap servers"), "nothing is started");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Demo_runs_the_whole_flow_on_embedded_infrastructure_and_prints_a_summary()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await DemoCommand.RunAsync(
            new DemoSettings(Events: 400, Contacts: 150, Rate: 2000, Seed: 7),
            new DirectoryInfo(Repository.PathOf("deploy", "campaigns")),
            [],
            output,
            error,
            CancellationToken.None);

        var text = output.ToString();
        Assert.That(exitCode, Is.EqualTo(ExitCodes.Success), text + error);
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Match(@"Kafka bootstrap servers: 127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+"));
            Assert.That(text, Does.Match(@"Engagement simulator: http://127\.0\.0\.1:\d+"));
            Assert.That(text, Does.Contain("InviteStream demo summary"));
            Assert.That(text, Does.Match(@"\| Events produced\s+\|\s+400 \|"));
            Assert.That(text, Does.Match(@"\| Events read\s+\|\s+400 \|"));
            Assert.That(text, Does.Match(@"\| Outcome delivered\s+\|\s+[1-9]\d* \|"));
            Assert.That(text, Does.Match(@"Decision latency p99\s+\|\s+[\d.]+ ms"));
        });
    }
}
