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

CommandHelp.Install(root);

// `run` is the default verb: with no verb (only options or settings) the arguments go to it. A
// word that is no verb is an error, never a worker started with the word ignored.
var rootOptions = new[] { "--help", "-h", "-?", "--version" };
var parsed = root.Parse(args.Length == 0 || (args[0].StartsWith('-') && !rootOptions.Contains(args[0])) ? ["run", .. args] : args);
if (CommandLineChecks.Problems(root, args, parsed) is { Count: > 0 } problems)
{
    problems.ForEach(Console.Error.WriteLine);
    return ExitCodes.InvalidCommandLine;
}

// The generic host handles SIGINT/SIGTERM and drains in-flight work; System.CommandLine must not
// kill the process on its own timer first.
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
