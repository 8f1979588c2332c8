using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using InviteStream.Core.Campaigns;
using InviteStream.Kafka.Embedded;
using InviteStream.Simulator;

namespace InviteStream.Benchmarks;

/// <summary>
/// The embedded broker and the simulator in a child process of the benchmark, so that the benchmark
/// process's memory and CPU are the worker's (and the baselines'), not the broker's logs. Topics are
/// created through the child's mock API: one line <c>topic NAME PARTITIONS</c> on its standard input,
/// answered by <c>ok</c>.
/// </summary>
internal sealed class BenchStack : IDisposable
{
    private const string Verb = "bench-stack";
    private readonly Process _child;

    private BenchStack(Process child, string bootstrapServers, Uri simulatorUrl)
    {
        _child = child;
        BootstrapServers = bootstrapServers;
        SimulatorUrl = simulatorUrl;
    }

    public string BootstrapServers { get; }

    public Uri SimulatorUrl { get; }

    /// <summary>Processor time the broker and simulator process has used so far.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _child.Refresh();
            return _child.TotalProcessorTime;
        }
    }

    public static bool IsChildCommand(string[] args) => args is [Verb, ..];

    /// <summary>The campaign the simulator knows: the guide's, with caps far above any load here.</summary>
    public static Campaign Campaign { get; } = BenchmarkData.Guide() with { Throttling = new Throttling(1, 86400, 100_000_000) };

    public static BenchStack Start()
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        start.ArgumentList.Add(Verb);

        // A profiler's diagnostic port is for the benchmark process alone (the child would wait on it).
        start.Environment.Remove("DOTNET_DiagnosticPorts");
        var child = Process.Start(start) ?? throw new InvalidOperationException("the broker process did not start");
        var bootstrap = ReadValue(child, "bootstrap");
        var simulator = new Uri(ReadValue(child, "simulator"));
        return new BenchStack(child, bootstrap, simulator);
    }

    public void CreateTopic(string name, int partitions)
    {
        _child.StandardInput.WriteLine(string.Create(CultureInfo.InvariantCulture, $"topic {name} {partitions}"));
        _child.StandardInput.Flush();
        var answer = _child.StandardOutput.ReadLine();
        if (answer != "ok")
        {
            throw new InvalidOperationException($"the broker process answered '{answer}' to creating {name}");
        }
    }

    public void Dispose()
    {
        _child.StandardInput.Close();
        if (!_child.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            _child.Kill(entireProcessTree: true);
        }

        _child.Dispose();
    }

    /// <summary>The child's side: runs until its standard input closes.</summary>
    public static async Task RunChildAsync()
    {
        using var cluster = EmbeddedKafkaCluster.Start(brokerCount: 3);
        await using var simulator = await SimulatorServer.StartAsync(
            new SimulatorOptions { ClientId = "bench", ClientSecret = "bench-secret", RequestsPerMinute = int.MaxValue }, [Campaign]);
        Console.WriteLine($"bootstrap {cluster.BootstrapServers}");
        Console.WriteLine($"simulator {simulator.BaseUrl}");
        while (await Console.In.ReadLineAsync() is { } line)
        {
            var parts = line.Split(' ');
            if (parts is ["topic", var name, var partitions])
            {
                cluster.CreateTopic(name, int.Parse(partitions, CultureInfo.InvariantCulture));
                Console.WriteLine("ok");
            }
            else
            {
                Console.WriteLine($"unknown command: {line}");
            }
        }
    }

    private static string ReadValue(Process child, string name)
    {
        var line = child.StandardOutput.ReadLine() ?? throw new InvalidOperationException($"the broker process exited before printing its {name}");
        return line.StartsWith(name + " ", StringComparison.Ordinal)
            ? line[(name.Length + 1)..]
            : throw new InvalidOperationException($"the broker process printed '{line}' instead of its {name}");
    }
}
