using System.CommandLine;
using System.Globalization;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using InviteStream.Core.Stats;
using InviteStream.Kafka;
using InviteStream.Kafka.Stats;
using InviteStream.Reports;

namespace InviteStream.Commands;

/// <summary>
/// <c>report</c>: the replay's HTML report drawn from what the live workers counted on the stats
/// topic (<c>Kafka:StatsTopic</c>) for a range of event time.
/// </summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var from = new Option<DateTimeOffset>("--from") { Description = "The first minute of event time (ISO 8601).", Required = true };
        var to = new Option<DateTimeOffset?>("--to") { Description = "The end of the range, exclusive (ISO 8601; default: now)." };
        var report = new Option<FileInfo>("--report") { Description = "The HTML file to write.", Required = true };
        var campaigns = CommonOptions.Campaigns();
        var command = new Command("report", "Write the HTML report of the live worker's per-minute statistics (Kafka:StatsTopic) for a range of event time. Settings: --Kafka:BootstrapServers=...")
        {
            from, to, report, campaigns,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(result => Run(
            new ReportArguments(result.GetValue(from), result.GetValue(to), result.GetValue(report)!, result.GetValue(campaigns), result.UnmatchedTokens),
            Console.Out,
            Console.Error));
        return command;
    }

    public static int Run(ReportArguments arguments, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var configuration = WorkerHost.CreateBuilder(arguments.Settings).Configuration;
        var kafka = CommonOptions.ReadSettings<KafkaOptions>(configuration, KafkaOptions.SectionName, error);
        var serialization = CommonOptions.ReadSettings<SerializationOptions>(configuration, SerializationOptions.SectionName, error);
        if (kafka is null || serialization is null)
        {
            return ExitCodes.InvalidConfiguration;
        }

        if (string.IsNullOrWhiteSpace(kafka.BootstrapServers) || !kafka.PublishesStats)
        {
            error.WriteLine("report reads the live statistics: it needs --Kafka:BootstrapServers=<host:port,...> (and Kafka:StatsTopic, default invite-stats).");
            return ExitCodes.InvalidConfiguration;
        }

        var to = arguments.To ?? TimeProvider.System.GetUtcNow();
        if (to <= arguments.From)
        {
            error.WriteLine("--to must be after --from.");
            return ExitCodes.InvalidConfiguration;
        }

        // Campaign files only add each campaign's cap to the charts; the statistics name the campaigns.
        var campaigns = arguments.Campaigns is null && configuration["Campaigns:Directory"] is null
            ? null
            : CommonOptions.LoadCampaigns(arguments.Campaigns, configuration["Campaigns:Directory"], error);
        Dictionary<StatsWindowKey, WindowCounts> windows;
        try
        {
            (windows, var unreadable) = StatsTopicReader.Read(kafka, serialization, arguments.From, to, TimeSpan.FromSeconds(30));
            if (unreadable > 0)
            {
                // A window whose latest record cannot be read would be missing from the charts: say so.
                error.WriteLine($"warning: {unreadable} record(s) of {kafka.StatsTopic} could not be read as statistics and are left out of the report.");
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or KafkaException or TimeoutException or SchemaRegistryException or HttpRequestException)
        {
            error.WriteLine($"report could not read {kafka.StatsTopic}: {ex.Message}");
            return ExitCodes.InvalidConfiguration;
        }

        var title = string.Create(CultureInfo.InvariantCulture, $"{kafka.StatsTopic}, {arguments.From.UtcDateTime:yyyy-MM-dd HH:mm} \u2192 {to.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        using (var writer = new StreamWriter(arguments.Report.Create()))
        {
            ReportPage.Write(ReportData.FromWindows(title, campaigns, windows, eventsEvaluated: null, contactsReached: null), null, writer);
        }

        output.WriteLine($"{windows.Count} campaign-minutes from {kafka.StatsTopic}; report written to {arguments.Report.FullName}");
        return ExitCodes.Success;
    }
}

/// <summary>What <c>report</c> was asked for; <paramref name="Settings"/> are <c>--Section:Key=value</c> tokens.</summary>
internal sealed record ReportArguments(DateTimeOffset From, DateTimeOffset? To, FileInfo Report, DirectoryInfo? Campaigns, IReadOnlyList<string> Settings);
