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

    [Test]
    public async Task Sync_reads_every_page_of_remote_campaigns_and_ignores_fields_the_server_adds()
    {
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions { ClientId = "tests", ClientSecret = "sync-secret" }, []);
        var directory = Directory.CreateTempSubdirectory("invitestream-sync-");
        try
        {
            // More campaigns than one page of the listing holds (the simulator adds selfUri and dateModified to each).
            var ids = Enumerable.Range(0, 130).Select(i => $"campaign-{i:D3}").ToList();
            foreach (var id in ids)
            {
                File.WriteAllText(Path.Combine(directory.FullName, $"{id}.json"), TestCampaigns.Guide(id: id));
            }

            string[] settings = [$"--Engagement:BaseUrl={simulator.BaseUrl}", "--Engagement:ClientId=tests", "--Engagement:ClientSecret=sync-secret"];
            Assert.That(await SyncAsync(directory, dryRun: false, settings), Does.Contain("130 campaign(s) written."));

            var again = await SyncAsync(directory, dryRun: true, settings);
            Assert.That(ids.Where(id => !again.Contains($"unchanged    {id}", StringComparison.Ordinal)), Is.Empty, again);
            Assert.That(again, Does.Not.Contain("create").And.Not.Contain("update").And.Not.Contain("remote-only"));
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
