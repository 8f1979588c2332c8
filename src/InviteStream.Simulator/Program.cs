using InviteStream.Core.Campaigns;
using InviteStream.Simulator;

// Runs the simulator on its own: dotnet run --project src/InviteStream.Simulator -- [--port N] [--host ADDRESS] [--campaigns DIR]
var options = new SimulatorOptions { Port = 5080 };
var campaignDirectory = "deploy/campaigns";
for (var i = 0; i < args.Length - 1; i++)
{
    switch (args[i])
    {
        case "--port": options.Port = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--host": options.Host = args[++i]; break;
        case "--campaigns": campaignDirectory = args[++i]; break;
        case "--client-id": options.ClientId = args[++i]; break;
        case "--client-secret": options.ClientSecret = args[++i]; break;
    }
}

var campaigns = new List<Campaign>();
if (Directory.Exists(campaignDirectory))
{
    foreach (var file in Directory.EnumerateFiles(campaignDirectory, "*.json").Order(StringComparer.Ordinal))
    {
        var (campaign, diagnostics) = CampaignReader.Read(File.ReadAllText(file), Path.GetFileName(file));
        diagnostics.ToList().ForEach(d => Console.Error.WriteLine(d));
        if (campaign is not null)
        {
            campaigns.Add(campaign);
        }
    }
}

await using var server = await SimulatorServer.StartAsync(options, campaigns);
Console.WriteLine($"Engagement simulator: {server.BaseUrl.ToString().TrimEnd('/')} ({campaigns.Count} campaigns; development only)");
var stopped = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stopped.TrySetResult(); };
await stopped.Task;
