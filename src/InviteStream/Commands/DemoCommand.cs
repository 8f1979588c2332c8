using System.CommandLine;
using System.Globalization;
using Confluent.Kafka;
using InviteStream.Core.Outcomes;
using InviteStream.Demo;
using InviteStream.Kafka;
using InviteStream.Kafka.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace InviteStream.Commands;

/// <summary>
/// <c>demo</c>: the whole invite flow on embedded infrastructure with a bounded synthetic stream,
/// live progress, then a summary.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var campaigns = CommonOptions.Campaigns();
        var events = new Option<int>("--events") { Description = "Synthetic events to produce.", DefaultValueFactory = _ => 5000 };
        var contacts = new Option<int>("--contacts") { Description = "Distinct contacts they come from.", DefaultValueFactory = _ => 2500 };
        var rate = new Option<int>("--rate") { Description = "Events produced per second.", DefaultValueFactory = _ => 1000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic stream.", DefaultValueFactory = _ => 42 };
        var command = new Command("demo", "Run the whole flow on an embedded broker and simulator with synthetic events, then print a summary.")
        {
            campaigns, events, contacts, rate, seed,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((result, cancellationToken) => RunAsync(
            new DemoSettings(result.GetValue(events), result.GetValue(contacts), result.GetValue(rate), result.GetValue(seed)),
            result.GetValue(campaigns),
            result.UnmatchedTokens,
            Console.Out,
            Console.Error,
            cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(
        DemoSettings demo, DirectoryInfo? campaignDirectory, IReadOnlyList<string> settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (demo.Events < 1 || demo.Contacts < 1 || demo.Rate < 1)
        {
            error.WriteLine("--events, --contacts and --rate must be at least 1.");
            return ExitCodes.InvalidConfiguration;
        }

        // The progress lines and the summary are the demo's output; per-record logs would drown them.
        var (worker, exitCode) = await StartedWorker.StartAsync(
            campaignDirectory, settings, new Dictionary<string, string?> { ["Logging:LogLevel:InviteStream"] = "Error", ["Logging:LogLevel:Polly"] = "Error" }, output, error, cancellationToken);
        if (worker is null)
        {
            return exitCode;
        }

        await using var running = worker;
        var host = worker.Host;
        var campaigns = worker.Campaigns;
        var infrastructure = worker.Infrastructure;
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        var statistics = host.Services.GetRequiredService<PipelineStatistics>();
        var kafka = host.Services.GetRequiredService<IOptions<KafkaOptions>>().Value;
        var time = host.Services.GetRequiredService<TimeProvider>();
        var started = time.GetTimestamp();
        output.WriteLine($"Campaigns: {string.Join(", ", campaigns.Campaigns.Select(c => c.Id))}");
        output.WriteLine($"Producing {demo.Events} events from {demo.Contacts} contacts at {demo.Rate}/s into {kafka.InputTopic}...");

        var produced = 0L;
        var production = Task.Run(() => ProduceAsync(demo, kafka, time, () => Interlocked.Increment(ref produced), stop.Token), stop.Token);
        var finishedInTime = false;
        var deadline = TimeSpan.FromSeconds((demo.Events / (double)demo.Rate) + 90);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, stop.Token);
                output.WriteLine(Progress(time.GetElapsedTime(started), Interlocked.Read(ref produced), demo.Events, statistics));
                if (production.IsCompleted && statistics.Finished >= Interlocked.Read(ref produced))
                {
                    finishedInTime = true;
                    break;
                }

                if (time.GetElapsedTime(started) > deadline)
                {
                    error.WriteLine("The demo did not finish in time; stopping.");
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("Interrupted.");
        }

        await production.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await host.StopAsync(CancellationToken.None);
        var delivered = infrastructure.Simulator?.State.Ledger.Count;
        output.WriteLine();
        output.WriteLine(Summary(time.GetElapsedTime(started), Interlocked.Read(ref produced), statistics, delivered));
        return finishedInTime ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static async Task ProduceAsync(DemoSettings demo, KafkaOptions kafka, TimeProvider time, Action acknowledged, CancellationToken cancellationToken)
    {
        // Kafka's default key partitioner (the worker's Kafka:KeyPartitioner default): contacts land in their home partition.
        var config = new ProducerConfig
        {
            BootstrapServers = kafka.BootstrapServers, LingerMs = 5, EnableIdempotence = true, Acks = Acks.All, Partitioner = Partitioner.Murmur2Random,
        };
        using var producer = new ProducerBuilder<string?, byte[]>(config).Build();
        var events = new SyntheticEvents(demo.Contacts, demo.Seed);
        var tick = TimeSpan.FromMilliseconds(50);
        var perTick = Math.Max(1, demo.Rate / 20);
        var sent = 0;
        while (sent < demo.Events && !cancellationToken.IsCancellationRequested)
        {
            for (var i = 0; i < perTick && sent < demo.Events; i++, sent++)
            {
                var (key, value) = events.Next(time.GetUtcNow());
                producer.Produce(kafka.InputTopic, new Message<string?, byte[]> { Key = key, Value = value }, report =>
                {
                    if (report.Error.Code == ErrorCode.NoError)
                    {
                        acknowledged();
                    }
                });
            }

            await Task.Delay(tick, time, cancellationToken);
        }

        producer.Flush(TimeSpan.FromSeconds(30));
    }

    private static string Progress(TimeSpan elapsed, long produced, int total, PipelineStatistics s) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"[{elapsed.TotalSeconds,5:F1}s] produced {produced}/{total} | decided {s.Finished} | delivered {s.Outcomes(OutcomeStatus.Delivered)} | suppressed {s.Outcomes(OutcomeStatus.Suppressed)} | throttled {s.Outcomes(OutcomeStatus.Throttled)} | expired {s.Outcomes(OutcomeStatus.Expired)} | no match {s.NoMatch} | dlq {s.DeadLettered}");

    private static string Summary(TimeSpan elapsed, long produced, PipelineStatistics s, int? ledger)
    {
        var rows = new List<(string Name, string Value)>
        {
            ("Events produced", produced.ToString(CultureInfo.InvariantCulture)),
            ("Events read", s.EventsRead.ToString(CultureInfo.InvariantCulture)),
        };
        foreach (var status in Enum.GetValues<OutcomeStatus>().Where(st => st != OutcomeStatus.NotEligible || s.Outcomes(st) > 0))
        {
            rows.Add(($"Outcome {OutcomeStatusNames.ToWire(status)}", s.Outcomes(status).ToString(CultureInfo.InvariantCulture)));
        }

        rows.Add(("Matched no campaign (no outcome)", s.NoMatch.ToString(CultureInfo.InvariantCulture)));
        rows.Add(("Dead-lettered", s.DeadLettered.ToString(CultureInfo.InvariantCulture)));
        rows.Add(("Invites delivered (simulator ledger)", ledger?.ToString(CultureInfo.InvariantCulture) ?? "n/a"));
        rows.Add(("Decision latency p50", string.Create(CultureInfo.InvariantCulture, $"{s.DecisionLatency.Percentile(50):F2} ms")));
        rows.Add(("Decision latency p99", string.Create(CultureInfo.InvariantCulture, $"{s.DecisionLatency.Percentile(99):F2} ms")));
        rows.Add(("Elapsed", string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds:F1} s")));

        var width = rows.Max(r => r.Name.Length);
        var valueWidth = rows.Max(r => r.Value.Length);
        var line = "+" + new string('-', width + 2) + "+" + new string('-', valueWidth + 2) + "+";
        var table = new System.Text.StringBuilder();
        table.AppendLine("InviteStream demo summary");
        table.AppendLine(line);
        foreach (var (name, value) in rows)
        {
            table.AppendLine(CultureInfo.InvariantCulture, $"| {name.PadRight(width)} | {value.PadLeft(valueWidth)} |");
        }

        table.Append(line);
        return table.ToString();
    }
}

internal sealed record DemoSettings(int Events, int Contacts, int Rate, int Seed);
