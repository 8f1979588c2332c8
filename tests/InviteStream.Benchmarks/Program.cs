using BenchmarkDotNet.Running;
using InviteStream.Benchmarks;

// dotnet run -c Release --project tests/InviteStream.Benchmarks -- memory        bytes per contact in the state store
// dotnet run -c Release --project tests/InviteStream.Benchmarks -- pipeline [--events N]  worker vs raw consume-produce
// dotnet run -c Release --project tests/InviteStream.Benchmarks -- dispatch [N]    invites/s through the dispatcher vs raw HTTP
// dotnet run -c Release --project tests/InviteStream.Benchmarks -- dispatch-latency [N] [rate]  decision latency through the dispatch stage vs the HTTP round trip
// dotnet run -c Release --project tests/InviteStream.Benchmarks -- replay [fileEvents] [topicEvents]  replay from a file, and from a topic vs a raw consume loop
// dotnet run -c Release --project tests/InviteStream.Benchmarks -- --filter '*'  BenchmarkDotNet suites (evaluation, store, limiter)
if (args is ["memory", ..])
{
    StateStoreMemory.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
    return;
}

if (args is ["pipeline", ..])
{
    var eventsAt = Array.IndexOf(args, "--events");
    await PipelineThroughput.RunAsync(
        eventsAt > 0 ? int.Parse(args[eventsAt + 1], System.Globalization.CultureInfo.InvariantCulture) : 120_000,
        noMatchOnly: args.Contains("--nomatch-only"),
        triggerOnly: args.Contains("--trigger-only"));
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

BenchmarkSwitcher.FromAssembly(typeof(EvaluationBenchmarks).Assembly).Run(args);
