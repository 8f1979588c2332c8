using System.CommandLine;
using InviteStream.Commands;

var run = RunCommand.Create();
var root = new RootCommand("InviteStream: decides and sends proactive web-messaging invites from behavioral events on Kafka.")
{
    run,
    DemoCommand.Create(),
    DevStackCommand.Create(),
    ValidateCommand.Create(),
    CampaignsCommand.Create(),
    ReplayCommand.Create(),
    ReportCommand.Create(),
};

// `run` is the default verb: with no verb (or only settings) the arguments go to it.
var verbs = root.Subcommands.Select(c => c.Name).Append("--help").Append("-h").Append("-?").Append("--version");
if (args.Length == 0 || !verbs.Contains(args[0]))
{
    args = ["run", .. args];
}

// The generic host handles SIGINT/SIGTERM and drains in-flight work; System.CommandLine must not
// kill the process on its own timer first.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
