using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace InviteStream.Commands;

/// <summary>
/// <c>--help</c> that teaches: each verb's usage with how settings are given, its options with their
/// defaults, the settings most used with it, and examples to copy.
/// </summary>
internal static class CommandHelp
{
    private const string SettingsLine =
        "Any setting as --Section:Key=value (or the environment variable INVITESTREAM__Section__Key); every setting is in README.md, section \"Configuration\".";

    private static readonly Dictionary<string, (string Setting, string Meaning)[]> Settings = new(StringComparer.Ordinal)
    {
        ["run"] =
        [
            ("--Kafka:BootstrapServers=<host:port,...>", "Kafka brokers; empty starts the embedded broker (development)"),
            ("--Kafka:InputTopic=<name>", "behavioral events (default behavioral-events)"),
            ("--Kafka:OutcomeTopic=<name>", "one outcome per decision (default invite-outcomes)"),
            ("--Kafka:GroupId=<id>", "consumer group of the replicas (default invitestream)"),
            ("--Engagement:Api=Guide|JourneySegments", "where invites go (default Guide)"),
            ("--Engagement:Region=<domain>", "Genesys Cloud region, e.g. mypurecloud.ie; empty with no BaseUrl starts the simulator"),
            ("--Engagement:ClientId=<id>", "OAuth client (secret: INVITESTREAM__Engagement__ClientSecret)"),
            ("--Engagement:SegmentIds:<campaignId>=<id>", "journey segment per campaign (JourneySegments)"),
            ("--Engagement:ApiRequestsPerMinute=<n>", "the API client's budget (default 300)"),
            ("--Pipeline:MaxEventAge=<hh:mm:ss>", "older events are expired, never sent (default 00:00:30)"),
            ("--Pipeline:MaxInviteDelay=<hh:mm:ss>", "how long an invite may wait for a permit (default 00:00:10)"),
            ("--Pipeline:EmitNotEligible=true", "an outcome for events no campaign accepts, with the failing filters"),
            ("--Health:Port=<port>", "/healthz, /readyz and /metrics (default 8080)"),
        ],
        ["demo"] =
        [
            ("--Engagement:ApiRequestsPerMinute=<n>", "the simulated API's budget (default 300)"),
            ("--Pipeline:EmitNotEligible=true", "an outcome for events no campaign accepts"),
        ],
        ["dev-stack"] =
        [
            ("--Simulator:Faults:ErrorRate=<0..1>", "share of engine calls that fail"),
            ("--Simulator:Faults:RateLimitStorm=true", "the engine answers 429 to everything"),
        ],
        ["replay"] =
        [
            ("--Pipeline:EmitNotEligible=true", "not_eligible outcomes with per-filter reasons"),
            ("--Pipeline:MaxInviteDelay=<hh:mm:ss>", "how long an invite waits in event time for a permit"),
            ("--Kafka:BootstrapServers=<host:port,...>", "with --topic: the cluster to read"),
            ("--Serialization:Format=Json|Avro", "with --topic: the records' format"),
        ],
        ["report"] =
        [
            ("--Kafka:BootstrapServers=<host:port,...>", "the cluster the live workers publish to"),
            ("--Kafka:StatsTopic=<name>", "their statistics topic (default invite-stats)"),
        ],
        ["sync"] =
        [
            ("--Engagement:Region=<domain>", "the Genesys Cloud region (or --Engagement:BaseUrl=<url>)"),
            ("--Engagement:ClientId=<id>", "OAuth client (secret: INVITESTREAM__Engagement__ClientSecret)"),
        ],
    };

    // `campaigns` has one verb, so its help and `sync`'s show the same example.
    private const string SyncExample = "InviteStream campaigns sync --dry-run --Engagement:Region=mypurecloud.ie --Engagement:ClientId=<id>";

    private static readonly Dictionary<string, string[]> Examples = new(StringComparer.Ordinal)
    {
        [""] = ["InviteStream demo", "InviteStream run --help", "InviteStream validate deploy/campaigns"],
        ["run"] =
        [
            "InviteStream run",
            "InviteStream run --Kafka:BootstrapServers=kafka:9092 --Engagement:Api=JourneySegments --Engagement:Region=mypurecloud.ie --Engagement:ClientId=<id> --Engagement:SegmentIds:api-driven-proactive-web-invite=<segment id>",
        ],
        ["demo"] = ["InviteStream demo", "InviteStream demo --events 20000 --rate 5000"],
        ["dev-stack"] = ["InviteStream dev-stack", "InviteStream run --Kafka:BootstrapServers=<printed servers> --Engagement:BaseUrl=<printed simulator>"],
        ["validate"] = ["InviteStream validate deploy/campaigns"],
        ["campaigns"] = [SyncExample],
        ["sync"] = [SyncExample],
        ["replay"] =
        [
            "InviteStream replay --input events.jsonl --output outcomes.jsonl --report report.html",
            "InviteStream replay --input events.jsonl.gz --compare deploy/campaigns-next --report compare.html",
            "InviteStream replay --topic behavioral-events --from 2026-12-01T00:00:00Z --to 2026-12-02T00:00:00Z --Kafka:BootstrapServers=kafka:9092",
        ],
        ["report"] = ["InviteStream report --from 2026-12-01T00:00:00Z --to 2026-12-02T00:00:00Z --report day.html --Kafka:BootstrapServers=kafka:9092"],
    };

    /// <summary>Makes every verb's <c>--help</c> this help.</summary>
    public static void Install(RootCommand root)
    {
        root.Options.OfType<HelpOption>().Single().Action = new WriteHelp();
    }

    /// <summary>Whether the command line asks for help (then nothing else about it matters).</summary>
    public static bool Asked(ParseResult parsed) => parsed.Action is WriteHelp;

    /// <summary>Whether a verb takes <c>--Section:Key=value</c> settings besides its options.</summary>
    public static bool TakesSettings(Command command) => !command.TreatUnmatchedTokensAsErrors;

    public static void Write(Command command, TextWriter output)
    {
        output.WriteLine(command.Description);
        output.WriteLine();
        output.WriteLine("Usage:");
        output.WriteLine($"  {UsageOf(command)}");

        if (command.Arguments.Count > 0)
        {
            Section(output, "Arguments:", command.Arguments.Select(a => ($"<{a.Name}>", a.Description ?? "")));
        }

        var options = command.Options.Concat(command.Parents.OfType<Command>().SelectMany(p => p.Options.Where(o => o.Recursive)))
            .Where(o => !o.Hidden)
            .DistinctBy(o => o.Name);
        Section(output, "Options:", options.Select(o => (LabelOf(o), DescriptionOf(o))));

        if (command.Subcommands.Count > 0)
        {
            Section(output, command is RootCommand ? "Verbs:" : "Sub-verbs:", command.Subcommands.Where(c => !c.Hidden).Select(c => (c.Name, c.Description ?? "")));
            output.WriteLine();
            output.WriteLine($"  InviteStream {(command is RootCommand ? "" : PathOf(command) + " ")}<verb> --help tells more about each.");
        }

        if (TakesSettings(command))
        {
            output.WriteLine();
            output.WriteLine("Settings:");
            output.WriteLine($"  {SettingsLine}");
            if (Settings.TryGetValue(command.Name, out var settings))
            {
                output.WriteLine("  Most used:");
                Rows(output, settings, indent: "    ");
            }
        }

        if (Examples.TryGetValue(command is RootCommand ? "" : command.Name, out var examples))
        {
            output.WriteLine();
            output.WriteLine("Examples:");
            foreach (var example in examples)
            {
                output.WriteLine($"  {example}");
            }
        }
    }

    private static string UsageOf(Command command)
    {
        if (command is RootCommand)
        {
            return "InviteStream [verb] [options]   (no verb: run)";
        }

        return $"InviteStream {PathOf(command)}"
            + string.Concat(command.Arguments.Select(a => $" <{a.Name}>"))
            + (command.Subcommands.Count > 0 ? " <verb>" : " [options]")
            + (TakesSettings(command) ? " [--Section:Key=value ...]" : "");
    }

    private static string LabelOf(Option option)
    {
        // Windows-style "/?" aliases aside: this is a Linux tool first.
        var names = string.Join(", ", option.Aliases.Append(option.Name).Where(n => !n.StartsWith('/')).OrderBy(n => n.Length).ThenBy(n => n, StringComparer.Ordinal));
        var valueType = option.GetType().IsGenericType ? option.GetType().GetGenericArguments()[0] : typeof(bool);
        return valueType == typeof(bool) || valueType == typeof(bool?) ? names : $"{names} <{option.HelpName ?? option.Name.TrimStart('-')}>";
    }

    private static string DescriptionOf(Option option)
    {
        var text = option.Description ?? "";
        if (option.Required)
        {
            text += " (required)";
        }
        else if (option.HasDefaultValue && option.GetDefaultValue() is { } value && value is not false)
        {
            text += $" (default: {value})";
        }

        return text;
    }

    private static void Section(TextWriter output, string title, IEnumerable<(string Label, string Text)> rows)
    {
        var list = rows.ToArray();
        if (list.Length == 0)
        {
            return;
        }

        output.WriteLine();
        output.WriteLine(title);
        Rows(output, list, indent: "  ");
    }

    private static void Rows(TextWriter output, IReadOnlyList<(string Label, string Text)> rows, string indent)
    {
        var width = rows.Max(r => r.Label.Length);
        foreach (var (label, text) in rows)
        {
            output.WriteLine($"{indent}{label.PadRight(width)}  {text}");
        }
    }

    private sealed class WriteHelp : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            Write(parseResult.CommandResult.Command, parseResult.InvocationConfiguration.Output);
            return ExitCodes.Success;
        }
    }

    private static string PathOf(Command command) =>
        command.Parents.OfType<Command>().FirstOrDefault(p => p is not RootCommand) is { } parent ? $"{PathOf(parent)} {command.Name}" : command.Name;
}
