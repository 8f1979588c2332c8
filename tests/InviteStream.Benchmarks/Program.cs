using BenchmarkDotNet.Running;
using InviteStream.Benchmarks;

// dotnet run -c Release --project tests/InviteStream.Benchmarks -- memory        bytes per contact in the state store
// dotnet run -c Release --project tests/InviteStream.Benchmarks -- pipeline [--events N] [--restore N] [--only nomatch|mix|trigger|hot|restore|nomatch-vs-consume|mix-vs-consume|latency@RATE [--variant Key=value]] [--allocations]
//     the worker against raw consume loops, bare HTTP and Streamiz; latency under load; restore
// dotnet run -c Release --project tests/InviteStream.Benchmarks -- dispatch [N]    invites/s through the dispatcher vs raw HTTP
// dotnet run -c Release --project tests/InviteStream.Benchmarks -- dispatch-latency [N] [rate]  decision latency through the dispatch stage vs the HTTP round trip
// dotnet run -c Release --project tests/InviteStream.Benchmarks -- replay [fileEvents] [topicEvents]  replay from a file, and from a topic vs a raw consume loop
// dotnet run -c Release --project tests/InviteStream.Benchmarks -- streamiz-smoke [N]  the Streamiz.Kafka.Net peer alone: events/s and its outcomes checked
// dotnet run -c Release --project tests/InviteStream.Benchmarks -- --filter '*'  BenchmarkDotNet suites (evaluation, store, limiter)
if (BenchStack.IsChildCommand(args))
{
    await BenchStack.RunChildAsync();
    return;
}

if (args is ["memory", ..])
{
    StateStoreMemory.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
    return;
}

if (args is ["pipeline", ..])
{
    string? Option(string name)
    {
        var at = Array.IndexOf(args, name);
        return at > 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    await PipelineThroughput.RunAsync(
        events: int.Parse(Option("--events") ?? "120000", System.Globalization.CultureInfo.InvariantCulture),
        restoreContacts: int.Parse(Option("--restore") ?? "1000000", System.Globalization.CultureInfo.InvariantCulture),
        only: Option("--only"),
        variant: Option("--variant"),
        allocations: args.Contains("--allocations"));
    return;
}

if (args is ["dispatch-latency", ..])
{
    await DispatchStageLatency.RunAsync(
        events: args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3_000,
        perSecond: args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 100);
    return;
}

if (args is ["replay", ..])
{
    await ReplayThroughput.RunAsync(
        fileEvents: args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000,
        topicEvents: args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 150_000);
    return;
}

if (args is ["dispatch", ..])
{
    await DispatchThroughput.RunAsync(
        requests: args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20_000,
        inFlight: 64);
    return;
}

if (args is ["streamiz-smoke", ..])
{
    Environment.ExitCode = await StreamizSmoke.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50_000);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(EvaluationBenchmarks).Assembly).Run(args);
