using BenchmarkDotNet.Attributes;
using InviteStream.Core.Decisions;
using InviteStream.Core.Events;
using InviteStream.Core.State;

namespace InviteStream.Benchmarks;

/// <summary>Deciding one event: filter evaluation plus the cooldown check, per event.</summary>
[MemoryDiagnoser]
public class EvaluationBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 5, 21, 14, 32, 12, TimeSpan.Zero);
    private InviteDecider _guide = null!;
    private InviteDecider _wide = null!;
    private BehavioralEvent _matching = null!;
    private BehavioralEvent _belowThreshold = null!;

    [GlobalSetup]
    public void Setup()
    {
        _guide = new InviteDecider([BenchmarkData.Guide()], DecisionRules.Default);
        _wide = new InviteDecider(Enumerable.Range(0, 20).Select(BenchmarkData.Wide), DecisionRules.Default);
        _matching = BenchmarkData.Event(churn: 0.87);
        _belowThreshold = BenchmarkData.Event(churn: 0.5);
    }

    [Benchmark(Baseline = true, Description = "guide campaign (3 filters), event matches")]
    public DecisionKind GuideMatching() => _guide.Decide(_matching, [], Now).Kind;

    [Benchmark(Description = "guide campaign (3 filters), below threshold")]
    public DecisionKind GuideBelowThreshold() => _guide.Decide(_belowThreshold, [], Now).Kind;

    [Benchmark(Description = "20 campaigns x 5 filters, no match")]
    public DecisionKind TwentyCampaigns() => _wide.Decide(_matching, [], Now).Kind;
}
