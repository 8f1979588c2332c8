using System.Diagnostics;
using System.Text.RegularExpressions;
using Confluent.Kafka;

namespace InviteStream.IntegrationTests;

/// <summary>
/// <c>dev-stack</c> as a user runs it: it prints where the broker and the simulator listen and the
/// simulator's credentials; workers join with nothing but those two addresses; a worker killed with
/// SIGKILL and restarted gets its partitions back within seconds, with either group protocol.
/// </summary>
[TestFixture]
public sealed partial class DevStackTests
{
    private static string Campaigns => Path.Combine(AppContext.BaseDirectory, "campaigns");

    // The embedded broker runs classic rebalances in rounds as long as the members' session timeout
    // (6 s), and a kill costs two to four of them (static membership does not shorten that there);
    // KIP-848 (6 s broker-side session timeout, assignments in milliseconds) needs about one.
    [TestCase("Classic", false, 30)]
    [TestCase("Consumer", false, 15)]
    public async Task Workers_join_a_dev_stack_with_two_addresses_and_a_killed_one_is_replaced_within_seconds(string protocol, bool staticMembers, int withinSeconds)
    {
        using var stack = Process.Start(WorkerProcess.StartInfo(["dev-stack", "--campaigns", Campaigns])) ?? throw new InvalidOperationException("no dev-stack");
        var workers = new List<WorkerProcess>();
        try
        {
            var printed = await ReadUntilAsync(stack, "Start workers with:");
            var bootstrap = Line().Match(printed) is { Success: true } b ? b.Groups["bootstrap"].Value : throw new AssertionException(printed);
            var simulator = Simulator().Match(printed).Groups["url"].Value;
            Assert.Multiple(() =>
            {
                Assert.That(simulator, Does.StartWith("http://127.0.0.1:"));
                Assert.That(printed, Does.Contain("Engagement client id: invitestream-dev"));
                Assert.That(printed, Does.Contain("Engagement client secret: "));
                Assert.That(printed, Does.Contain("Topic invitestream.triggers: 12 partitions"));
            });

            // Only the two addresses; the protocol and the instance id only when asked for.
            string[] Arguments(int worker) =>
            [
                "--campaigns", Campaigns, $"--Kafka:BootstrapServers={bootstrap}", $"--Engagement:BaseUrl={simulator}",
                .. protocol == "Classic" ? Array.Empty<string>() : ["--Kafka:GroupProtocol=Consumer"],
                .. staticMembers ? [$"--Kafka:GroupInstanceId=worker-{worker}"] : Array.Empty<string>(),
            ];
            workers.Add(WorkerProcess.Start(Arguments(0)));
            workers.Add(WorkerProcess.Start(Arguments(1)));
            await PipelineHarness.WaitUntilAsync(
                () => workers.All(w => w.Output.Contains("worker running", StringComparison.Ordinal)) || workers.Any(w => w.HasExited),
                TimeSpan.FromSeconds(60),
                "both workers run");
            Assert.That(workers.Any(w => w.HasExited), Is.False, string.Join(Environment.NewLine, workers.Select(w => w.Output)));

            await ProduceAsync(bootstrap, "a", 60);
            await PipelineHarness.WaitUntilAsync(() => Outcomes(bootstrap) >= 60, TimeSpan.FromSeconds(60), "both workers decide the first events");

            workers[0].Kill();
            var killed = Stopwatch.StartNew();
            workers.Add(WorkerProcess.Start(Arguments(0)));
            await ProduceAsync(bootstrap, "b", 60);
            await PipelineHarness.WaitUntilAsync(
                () => Outcomes(bootstrap) >= 120, TimeSpan.FromSeconds(60), "every partition is read again after the kill");
            await TestContext.Progress.WriteLineAsync(
                $"{protocol}{(staticMembers ? " (static members)" : "")}: every partition decided again {killed.Elapsed.TotalSeconds:F1} s after the SIGKILL");
            Assert.That(killed.Elapsed, Is.LessThan(TimeSpan.FromSeconds(withinSeconds)), "the killed worker's partitions come back after its 6 s session timeout");
        }
        finally
        {
            await Task.WhenAll(workers.Where(w => !w.HasExited).Select(w => w.TerminateAsync(TimeSpan.FromSeconds(60))));
            workers.ForEach(w => w.Dispose());
            using (var term = Process.Start("kill", ["-TERM", stack.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            await stack.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.That(stack.ExitCode, Is.Zero, "dev-stack stops cleanly on SIGTERM");
    }

    private static async Task<string> ReadUntilAsync(Process process, string marker)
    {
        var text = new System.Text.StringBuilder();
        while (await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) is { } line)
        {
            text.AppendLine(line);
            if (line.StartsWith(marker, StringComparison.Ordinal))
            {
                return text.ToString();
            }
        }

        throw new AssertionException($"dev-stack ended before printing '{marker}':{Environment.NewLine}{text}");
    }

    // Matching events of new contacts on the default input topic, where Kafka's default partitioner puts them.
    private static async Task ProduceAsync(string bootstrap, string prefix, int count)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = bootstrap, Partitioner = Partitioner.Murmur2Random }).Build();
        var now = TimeProvider.System.GetUtcNow();
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => producer.ProduceAsync(
            "behavioral-events", new Message<string, string> { Key = $"ext:{prefix}{i}", Value = TestEvents.Event($"{prefix}{i}", $"ext:{prefix}{i}", now, churn: 0.9) })));
    }

    private static long Outcomes(string bootstrap)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "outcome-count" }).Build();
        return Enumerable.Range(0, 12).Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition("invite-outcomes", p), TimeSpan.FromSeconds(10)).High.Value);
    }

    [GeneratedRegex(@"^Kafka bootstrap servers: (?<bootstrap>\S+)", RegexOptions.Multiline)]
    private static partial Regex Line();

    [GeneratedRegex(@"^Engagement simulator: (?<url>\S+)", RegexOptions.Multiline)]
    private static partial Regex Simulator();
}
