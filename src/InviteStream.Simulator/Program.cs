using InviteStream.Core.Campaigns;
using InviteStream.Simulator;

// Runs the simulator on its own until Ctrl+C or SIGTERM:
// dotnet run --project src/InviteStream.Simulator -- [--port N] [--host ADDRESS] [--campaigns DIR]
//   [--client-id ID] [--client-secret SECRET] [--requests-per-minute N]
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
        case "--requests-per-minute": options.RequestsPerMinute = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
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
Console.WriteLine($"Engagement simulator: {server.BaseUrl.ToString().TrimEnd('/')} ({campaigns.Count} campaigns, {options.RequestsPerMinute} requests per minute per client; development only)");
Console.WriteLine($"Login (tokens only, as Genesys' login.<region> host): {server.LoginUrl.ToString().TrimEnd('/')}");
Console.WriteLine($"Client id: {options.ClientId}");
Console.WriteLine($"Client secret: {options.ClientSecret}");
var stopped = new TaskCompletionSource();
using var interrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(
    System.Runtime.InteropServices.PosixSignal.SIGINT, context => { context.Cancel = true; stopped.TrySetResult(); });
using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(
    System.Runtime.InteropServices.PosixSignal.SIGTERM, context => { context.Cancel = true; stopped.TrySetResult(); });
await stopped.Task;
Console.WriteLine("Engagement simulator stopped");
