using System.CommandLine;

namespace InviteStream.Commands;

/// <summary>
/// What the command line must not let through: a verb that does not exist (it would otherwise run
/// the worker with the word ignored), an option no verb knows, or a token that is neither an option
/// nor a <c>--Section:Key=value</c> setting.
/// </summary>
internal static class CommandLineChecks
{
    /// <summary>The problems with <paramref name="parsed"/>, one line each; empty when there are none.</summary>
    public static List<string> Problems(RootCommand root, string[] arguments, ParseResult parsed)
    {
        if (arguments is [var first, ..] && !first.StartsWith('-') && !root.Subcommands.Any(c => c.Name == first))
        {
            var closest = root.Subcommands.Select(c => c.Name).MinBy(name => Distance(name, first))!;
            return [$"Unknown verb '{first}'. Did you mean '{closest}'? Verbs: {string.Join(", ", root.Subcommands.Select(c => c.Name))}. See InviteStream --help."];
        }

        if (CommandHelp.Asked(parsed))
        {
            return [];
        }

        var problems = parsed.Errors.Select(e => e.Message).ToList();
        if (CommandHelp.TakesSettings(parsed.CommandResult.Command))
        {
            problems.AddRange(NotSettings(parsed.UnmatchedTokens).Select(token =>
                $"Unknown option '{token}' for '{parsed.CommandResult.Command.Name}': settings are given as --Section:Key=value (e.g. --Kafka:BootstrapServers=host:9092). See InviteStream {parsed.CommandResult.Command.Name} --help."));
        }

        return problems;
    }

    // A setting is "--Section:Key=value", or "--Section:Key" followed by its value.
    private static IEnumerable<string> NotSettings(IReadOnlyList<string> tokens)
    {
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            var key = token.StartsWith("--", StringComparison.Ordinal) ? token[2..].Split('=', 2)[0] : null;
            if (key is null || !key.Contains(':', StringComparison.Ordinal) || key.StartsWith(':') || key.EndsWith(':'))
            {
                yield return token;
                continue;
            }

            if (!token.Contains('=', StringComparison.Ordinal) && i + 1 < tokens.Count && !tokens[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                i++;
            }
        }
    }

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
