using BenchmarkDotNet.Attributes;
using InviteStream.Core.RateLimiting;

namespace InviteStream.Benchmarks;

/// <summary>The rolling-window limiter's cost per permit when permits are available (the hot path).</summary>
[MemoryDiagnoser]
public class LimiterBenchmarks
{
    private readonly DateTimeOffset _deadline = DateTimeOffset.MaxValue;
    private RollingWindowRateLimiter _limiter = null!;

    [GlobalSetup]
    public void Setup() => _limiter = new RollingWindowRateLimiter(1_000_000, TimeSpan.FromTicks(1), TimeProvider.System);

    [GlobalCleanup]
    public void Cleanup() => _limiter.Dispose();

    [Benchmark(Description = "acquire one permit (available)")]
    public bool Acquire()
    {
        var acquisition = _limiter.AcquireAsync(_deadline);
        return acquisition.IsCompletedSuccessfully && acquisition.Result;
    }
}
