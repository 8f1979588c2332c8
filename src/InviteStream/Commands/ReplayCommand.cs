using System.CommandLine;
using System.Diagnostics;
using InviteStream.Core.Campaigns;
using InviteStream.Core.Outcomes;
using InviteStream.Core.Replay;
using Confluent.Kafka;
using InviteStream.Kafka;
using InviteStream.Kafka.Replay;
using InviteStream.Kafka.Serialization;
using InviteStream.Replay;
using InviteStream.Reports;

namespace InviteStream.Commands;

/// <summary>
/// <c>replay</c>: recorded events decided on event time, as a dry run — no Kafka, no HTTP, nothing
/// written but the outcome file and the summary.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create()
    {
        var input = new Option<string?>("--input") { Description = "Events, one JSON value per line: a .jsonl file, a .jsonl.gz file, or - for standard input." };
        var topic = new Option<string?>("--topic") { Description = "Instead of --input: a topic's records with timestamps in [--from, --to), read without a consumer group (Kafka:BootstrapServers)." };
        var from = new Option<DateTimeOffset?>("--from") { Description = "With --topic: the first record timestamp (ISO 8601)." };
        var to = new Option<DateTimeOffset?>("--to") { Description = "With --topic: the end of the range, exclusive (ISO 8601; default: now)." };
        var outputTopic = new Option<string?>("--output-topic") { Description = "Also write the outcomes to this topic (never one the live worker uses)." };
        var campaigns = CommonOptions.Campaigns();
        var output = new Option<FileInfo?>("--output") { Description = "Write one outcome per line (the live outcome's fields; would_deliver for an invite that would be sent)." };
        var report = new Option<FileInfo?>("--report") { Description = "Write a self-contained HTML report with charts (both campaign sets side by side with --compare)." };
        var compare = new Option<DirectoryInfo?>("--compare") { Description = "A second folder of campaigns: decide the same events under it and report the difference." };
        var maxLateness = new Option<TimeSpan>("--max-lateness")
        {
            Description = "How far behind the newest event an event may come and still be decided in order (later ones are decided late and counted).",
            DefaultValueFactory = _ => TimeSpan.FromHours(1),
        };
        var command = new Command("replay", "Decide recorded events on event time as a dry run: would-be invites, suppressions, throttling. Settings: --Pipeline:Key=value.")
        {
            input, topic, from, to, campaigns, output, outputTopic, report, compare, maxLateness,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(result => Run(
            new ReplayArguments(result.GetValue(input), result.GetValue(campaigns), result.GetValue(output), result.GetValue(compare), result.GetValue(maxLateness), result.UnmatchedTokens)
            {
                Topic = result.GetValue(topic),
                From = result.GetValue(from),
                To = result.GetValue(to),
                OutputTopic = result.GetValue(outputTopic),
                Report = result.GetValue(report),
            },
            Console.Out,
            Console.Error));
        return command;
    }

    public static int Run(ReplayArguments arguments, TextWriter output, TextWriter error)
    {
        var configuration = WorkerHost.CreateBuilder(arguments.Settings).Configuration;
        var pipeline = CommonOptions.ReadSettings<PipelineOptions>(configuration, PipelineOptions.SectionName, error);
        var kafka = CommonOptions.ReadSettings<KafkaOptions>(configuration, KafkaOptions.SectionName, error);
        var serialization = CommonOptions.ReadSettings<SerializationOptions>(configuration, SerializationOptions.SectionName, error);
        if (pipeline is null || kafka is null || serialization is null)
        {
            return ExitCodes.InvalidConfiguration;
        }

        if (arguments.MaxLateness < TimeSpan.Zero)
        {
            error.WriteLine("--max-lateness must not be negative.");
            return ExitCodes.InvalidConfiguration;
        }

        var baseline = CommonOptions.LoadCampaigns(arguments.Campaigns, configuration["Campaigns:Directory"], error);
        var candidate = arguments.Compare is null ? null : CommonOptions.LoadCampaigns(arguments.Compare, null, error);
        if (baseline is null || (arguments.Compare is not null && candidate is null))
        {
            return ExitCodes.InvalidCampaigns;
        }

        if ((arguments.Input is null) == (arguments.Topic is null))
        {
            error.WriteLine("Give either --input <file> or --topic <name> --from <time> [--to <time>].");
            return ExitCodes.InvalidConfiguration;
        }

        if (arguments.Input is { } file && file != "-" && !File.Exists(file))
        {
            error.WriteLine($"No such input file: {file}");
            return ExitCodes.InvalidConfiguration;
        }

        if ((arguments.Topic is not null || arguments.OutputTopic is not null) && string.IsNullOrWhiteSpace(kafka.BootstrapServers))
        {
            error.WriteLine("--topic and --output-topic need --Kafka:BootstrapServers=<host:port,...>.");
            return ExitCodes.InvalidConfiguration;
        }

        if (arguments.Topic is not null && arguments.From is null)
        {
            error.WriteLine("--topic needs --from <ISO time> (and optionally --to).");
            return ExitCodes.InvalidConfiguration;
        }

        var settings = new ReplaySettings(
            pipeline.MaxInviteDelay,
            pipeline.CampaignRateWindow,
            arguments.MaxLateness,
            pipeline.ConsolidatedSuppression,
            pipeline.EmitNotEligible,
            [.. pipeline.PassThroughAttributes]);
        OutcomeTopicWriter? outcomeTopic = null;
        IReplaySource source;
        try
        {
            outcomeTopic = arguments.OutputTopic is { } name ? new OutcomeTopicWriter(kafka, name) : null;
            source = arguments.Topic is { } topic
                ? new TopicSource(TopicRangeReader.Open(
                    kafka,
                    serialization,
                    pipeline,
                    topic,
                    arguments.From!.Value,
                    arguments.To ?? TimeProvider.System.GetUtcNow(),
                    TimeSpan.FromSeconds(30)))
                : new FileSource(EventFile.Open(arguments.Input!, pipeline.MaxRecordBytes, TimeProvider.System.GetUtcNow()));
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or KafkaException)
        {
            outcomeTopic?.Dispose();
            error.WriteLine(ex.Message);
            return ExitCodes.InvalidConfiguration;
        }

        using (outcomeTopic)
        using (source)
        {
            return Replay(arguments, source, baseline, candidate, settings, outcomeTopic, output, error);
        }
    }

    private static string CampaignsName(DirectoryInfo? folder) => folder?.Name ?? "campaigns";

    private static int Replay(
        ReplayArguments arguments, IReplaySource source, CampaignSet baseline, CampaignSet? candidate, ReplaySettings settings, OutcomeTopicWriter? outcomeTopic,
        TextWriter output, TextWriter error)
    {
        var tally = new ReplayTally();
        var comparison = candidate is null ? null : new ReplayComparison();

        // Filter failures are only collected for a report: without one, a campaign's evaluation stops at its first failing filter.
        var baselineReport = arguments.Report is null ? null : new ReportCollector(baseline);
        var candidateReport = arguments.Report is null || candidate is null ? null : new ReportCollector(candidate);
        using var outcomeFile = arguments.Output is null ? null : new BufferedStream(arguments.Output.Create(), 1 << 16);
        using var session = new ReplaySession(baseline, settings, outcome =>
        {
            tally.Count(outcome);
            baselineReport?.Count(outcome);
            comparison?.Baseline(outcome);
            if (outcomeFile is not null)
            {
                outcomeFile.Write(OutcomeJson.Write(outcome));
                outcomeFile.WriteByte((byte)'\n');
            }

            outcomeTopic?.Write(outcome);
        }, baselineReport);
        using var other = candidate is null ? null : new ReplaySession(
            candidate,
            settings,
            outcome =>
            {
                comparison!.Candidate(outcome);
                candidateReport?.Count(outcome);
            },
            candidateReport);
        var progress = new ReplayProgress(error, source);
        var clock = Stopwatch.StartNew();
        var knownCampaign = (string id) => baseline.Campaigns.Any(c => c.Id == id) || candidate?.Campaigns.Any(c => c.Id == id) == true;
        foreach (var (origin, read) in ReadAhead.Of(source.Records(knownCampaign)))
        {
            if (read.Event is { } behavioralEvent)
            {
                session.Add(behavioralEvent, origin, read.OnlyCampaigns);
                other?.Add(behavioralEvent, origin, read.OnlyCampaigns);
            }
            else
            {
                tally.Bad(read.Error ?? "unreadable");
            }

            progress.Tick(session.Read + tally.BadRecordCount);
        }

        session.Complete();
        other?.Complete();
        comparison?.Complete();
        outcomeTopic?.Flush(TimeSpan.FromSeconds(60));
        progress.Done();

        var elapsed = clock.Elapsed;
        var records = session.Read + tally.BadRecordCount;
        output.WriteLine(
            $"Replayed {records:N0} records in {elapsed.TotalSeconds:F1} s ({records / Math.Max(elapsed.TotalSeconds, 1e-3):N0}/s): " +
            $"{session.Decided:N0} events decided, {tally.Outcomes:N0} outcomes, {session.Read - tally.Outcomes:N0} matched no campaign, " +
            $"{tally.BadRecordCount:N0} bad records, {session.Late:N0} late (beyond --max-lateness {arguments.MaxLateness}).");
        tally.WriteTable(output);
        foreach (var (reason, count) in tally.BadRecords)
        {
            output.WriteLine($"bad record: {reason} x{count:N0} (live: dead-lettered)");
        }

        comparison?.Write(output);
        if (arguments.Output is not null)
        {
            output.WriteLine($"Outcomes written to {arguments.Output.FullName}");
        }

        if (arguments.OutputTopic is not null)
        {
            output.WriteLine($"Outcomes written to topic {arguments.OutputTopic}");
        }

        if (arguments.Report is { } reportFile && baselineReport is not null)
        {
            var inputName = arguments.Topic is { } topic ? $"topic {topic}" : arguments.Input == "-" ? "standard input" : Path.GetFileName(arguments.Input!);
            baselineReport.EventsEvaluated = session.Read;
            if (candidateReport is not null)
            {
                candidateReport.EventsEvaluated = other!.Read;
            }

            using (var writer = new StreamWriter(reportFile.Create()))
            {
                ReportPage.Write(
                    baselineReport.Build($"{CampaignsName(arguments.Campaigns)} on {inputName}"),
                    candidateReport?.Build($"{CampaignsName(arguments.Compare)} on {inputName}"),
                    writer);
            }

            output.WriteLine($"Report written to {reportFile.FullName}");
        }

        return ExitCodes.Success;
    }
}

internal sealed record ReplayArguments(
    string? Input, DirectoryInfo? Campaigns, FileInfo? Output, DirectoryInfo? Compare, TimeSpan MaxLateness, IReadOnlyList<string> Settings)
{
    public string? Topic { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public string? OutputTopic { get; init; }

    public FileInfo? Report { get; init; }
}

/// <summary>A progress line on a terminal: records, records/s and, where the input's size is known, the time left.</summary>
internal sealed class ReplayProgress(TextWriter error, IReplaySource input)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _terminal = !Console.IsErrorRedirected;
    private TimeSpan _shown;

    public void Tick(long records)
    {
        if (!_terminal || _clock.Elapsed - _shown < TimeSpan.FromMilliseconds(250))
        {
            return;
        }

        _shown = _clock.Elapsed;
        var rate = records / Math.Max(_shown.TotalSeconds, 1e-3);
        var eta = input.Done is { } done && done > 0
            ? $" | {100.0 * done:F0} % | ETA {TimeSpan.FromSeconds(_shown.TotalSeconds * (1 - done) / done):mm\\:ss}"
            : "";
        error.Write($"\r{records:N0} records | {rate:N0}/s{eta}   ");
    }

    public void Done()
    {
        if (_terminal)
        {
            error.WriteLine();
        }
    }
}
