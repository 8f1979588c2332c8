using InviteStream.Commands;
using InviteStream.Simulator;

namespace InviteStream.IntegrationTests;

[TestFixture]
public sealed class CampaignSyncTests
{
    [Test]
    public async Task Sync_shows_the_diff_on_a_dry_run_then_creates_and_updates_only_what_changed()
    {
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions { ClientId = "tests", ClientSecret = "sync-secret" }, []);
        var directory = Directory.CreateTempSubdirectory("invitestream-sync-");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "guide.json"), TestCampaigns.Guide());
            string[] settings = [$"--Engagement:BaseUrl={simulator.BaseUrl}", "--Engagement:ClientId=tests", "--Engagement:ClientSecret=sync-secret"];

            var dryRun = await SyncAsync(directory, dryRun: true, settings);
            Assert.That(dryRun, Does.Contain($"create       {TestCampaigns.GuideCampaignId}"));
            Assert.That(dryRun, Does.Contain("Dry run: 1 campaign(s) would be written."));
            Assert.That(simulator.State.Campaigns, Is.Empty, "a dry run changes nothing");

            Assert.That(await SyncAsync(directory, dryRun: false, settings), Does.Contain("1 campaign(s) written."));
            Assert.That(simulator.State.Campaigns.Select(c => c.Id), Is.EqualTo(new[] { TestCampaigns.GuideCampaignId }));

            Assert.That(await SyncAsync(directory, dryRun: false, settings), Does.Contain($"unchanged    {TestCampaigns.GuideCampaignId}"));

            File.WriteAllText(Path.Combine(directory.FullName, "guide.json"), TestCampaigns.Guide(cooldownSeconds: 600));
            Assert.That(await SyncAsync(directory, dryRun: false, settings), Does.Contain($"update       {TestCampaigns.GuideCampaignId}"));
            Assert.That(simulator.State.Campaigns.Single().Throttling.CooldownSeconds, Is.EqualTo(600));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<string> SyncAsync(DirectoryInfo directory, bool dryRun, string[] settings)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CampaignsCommand.SyncAsync(directory, dryRun, settings, output, error, CancellationToken.None);
        Assert.That(exitCode, Is.EqualTo(ExitCodes.Success), error.ToString());
        return output.ToString();
    }
}
