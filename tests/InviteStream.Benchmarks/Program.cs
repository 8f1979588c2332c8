using BenchmarkDotNet.Running;
using InviteStream.Benchmarks;

// dotnet run -c Release --project tests/InviteStream.Benchmarks -- memory        bytes per contact in the state store
// dotnet run -c Release --project tests/InviteStream.Benchmarks -- --filter '*'  BenchmarkDotNet suites (evaluation, store)
if (args is ["memory", ..])
{
    StateStoreMemory.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
