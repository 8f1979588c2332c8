using InviteStream.Engagement.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace InviteStream.Engagement.Tests.RateLimiting;

[TestFixture]
public sealed class RollingWindowRateLimiterTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private FakeTimeProvider _time = null!;

    [SetUp]
    public void SetUp() => _time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 21, 14, 0, 0, TimeSpan.Zero));

    // A grant that must be decided at once; the answer.
    private bool Now(RollingWindowRateLimiter limiter, DateTimeOffset? deadline = null)
    {
        var acquisition = limiter.AcquireAsync(deadline ?? _time.GetUtcNow()).AsTask();
        Assert.That(acquisition.IsCompletedSuccessfully, Is.True, "decided without waiting");
        return acquisition.GetAwaiter().GetResult();
    }

    [Test]
    public void A_burst_can_spend_the_whole_unused_budget_at_once()
    {
        using var limiter = new RollingWindowRateLimiter(300, Window, _time);
        var granted = Enumerable.Range(0, 300).Count(_ => Now(limiter));
        Assert.That(granted, Is.EqualTo(300));
        Assert.That(limiter.Available, Is.Zero);
        Assert.That(Now(limiter), Is.False);
    }

    [Test]
    public void Memory_follows_the_grants_in_the_window_not_the_limit()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        using var limiter = new RollingWindowRateLimiter(100_000_000, Window, _time);
        for (var second = 0; second < 120; second++)
        {
            Assert.That(Enumerable.Range(0, 50).Count(_ => Now(limiter)), Is.EqualTo(50));
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        limiter.SetPermitLimit(50_000_000);
        Assert.That(limiter.Available, Is.EqualTo(50_000_000 - (59 * 50)), "the grants of seconds 61 to 119 are still inside the window at 120");
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(2_000_000), "a 100M/min cap must not cost a 100M-entry ring");
    }

    [Test]
    public void Refuses_at_once_when_the_next_free_permit_is_past_the_deadline()
    {
        using var limiter = new RollingWindowRateLimiter(2, Window, _time);
        Now(limiter);
        Now(limiter);

        Assert.That(Now(limiter, _time.GetUtcNow().AddSeconds(59)), Is.False, "no waiting for a permit that cannot come in time");
        Assert.That(limiter.QueuedWaiters, Is.Zero);
    }

    [Test]
    public async Task A_waiter_gets_its_permit_the_moment_the_oldest_grant_leaves_the_window()
    {
        using var limiter = new RollingWindowRateLimiter(1, Window, _time);
        Now(limiter);

        var waiting = limiter.AcquireAsync(_time.GetUtcNow().AddMinutes(2)).AsTask();
        _time.Advance(Window - TimeSpan.FromTicks(1));
        Assert.That(waiting.IsCompleted, Is.False);

        _time.Advance(TimeSpan.FromTicks(1));
        Assert.That(await waiting, Is.True);
    }

    [Test]
    public async Task Waiters_are_served_in_arrival_order()
    {
        using var limiter = new RollingWindowRateLimiter(1, Window, _time);
        Now(limiter);
        var deadline = _time.GetUtcNow().AddMinutes(10);
        var first = limiter.AcquireAsync(deadline).AsTask();
        var second = limiter.AcquireAsync(deadline).AsTask();

        _time.Advance(Window);
        Assert.That(await first, Is.True);
        Assert.That(second.IsCompleted, Is.False);

        _time.Advance(Window);
        Assert.That(await second, Is.True);
    }

    [Test]
    public async Task A_waiter_whose_deadline_passes_gets_no_permit()
    {
        using var limiter = new RollingWindowRateLimiter(2, Window, _time);
        Now(limiter);
        _time.Advance(TimeSpan.FromSeconds(30));
        Now(limiter);

        // Planned for t=60 s (first grant leaves), deadline t=61 s: it is queued...
        var waiting = limiter.AcquireAsync(_time.GetUtcNow().AddSeconds(31)).AsTask();
        Assert.That(limiter.QueuedWaiters, Is.EqualTo(1));

        // ...but the API empties the budget until t=90 s, so its deadline passes first.
        limiter.BlockUntil(_time.GetUtcNow().AddSeconds(60));
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.That(await waiting, Is.False);
    }

    [Test]
    public void Cancelling_a_waiter_cancels_its_task()
    {
        using var limiter = new RollingWindowRateLimiter(1, Window, _time);
        Now(limiter);
        using var cancellation = new CancellationTokenSource();
        var waiting = limiter.AcquireAsync(_time.GetUtcNow().AddMinutes(5), cancellation.Token).AsTask();

        cancellation.Cancel();

        Assert.That(async () => await waiting, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(limiter.QueuedWaiters, Is.Zero);
    }

    [Test]
    public async Task BlockUntil_grants_nothing_before_the_reset_time()
    {
        using var limiter = new RollingWindowRateLimiter(10, Window, _time);
        limiter.BlockUntil(_time.GetUtcNow().AddSeconds(5));
        Assert.That(limiter.Available, Is.Zero);

        var waiting = limiter.AcquireAsync(_time.GetUtcNow().AddSeconds(10)).AsTask();
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.That(waiting.IsCompleted, Is.False);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await waiting, Is.True);
    }

    [Test]
    public void A_lower_share_takes_effect_for_grants_already_made()
    {
        using var limiter = new RollingWindowRateLimiter(10, Window, _time);
        for (var i = 0; i < 5; i++)
        {
            Now(limiter);
        }

        limiter.SetPermitLimit(5);

        Assert.That(Now(limiter), Is.False, "five grants in the window already fill a cap of five");
    }

    [Test]
    public void In_any_rolling_window_grants_never_exceed_the_cap_even_at_window_edges()
    {
        const int cap = 20;
        using var limiter = new RollingWindowRateLimiter(cap, Window, _time);
        var random = new Random(1234);
        var grants = new List<DateTimeOffset>();
        var waiting = new List<Task<bool>>();
        var step = TimeSpan.FromMilliseconds(1);

        // Four minutes in 1 ms steps: random arrivals, and bursts around every minute boundary.
        for (var tick = 0; tick < 240_000; tick++)
        {
            var sinceMinute = tick % 60_000;
            var arrivals = sinceMinute is < 20 or > 59_980 ? 3 : random.Next(0, 400) == 0 ? 1 : 0;
            for (var i = 0; i < arrivals; i++)
            {
                var acquisition = limiter.AcquireAsync(_time.GetUtcNow() + TimeSpan.FromSeconds(random.Next(0, 90))).AsTask();
                waiting.Add(acquisition);
            }

            _time.Advance(step);
            // Grants happen inside Advance, at their due time; seen here at most one step later.
            for (var i = waiting.Count - 1; i >= 0; i--)
            {
                if (waiting[i].IsCompleted)
                {
                    if (waiting[i].GetAwaiter().GetResult())
                    {
                        grants.Add(_time.GetUtcNow());
                    }

                    waiting.RemoveAt(i);
                }
            }
        }

        grants.Sort();
        for (var i = cap; i < grants.Count; i++)
        {
            Assert.That(grants[i] - grants[i - cap], Is.GreaterThanOrEqualTo(Window - step), $"{cap + 1} grants within one window, ending at grant {i}");
        }

        Assert.That(grants, Has.Count.GreaterThanOrEqualTo(cap * 4), "the limiter kept granting throughout");
    }

    [Test]
    public void Under_saturation_the_granted_rate_is_within_two_percent_of_the_cap()
    {
        const int cap = 300;
        using var limiter = new RollingWindowRateLimiter(cap, Window, _time);
        var granted = 0;
        var waiting = new List<Task<bool>>();
        var start = _time.GetUtcNow();

        // Ten minutes of demand far above the cap, in 100 ms steps, each request willing to wait 2 s.
        for (var step = 0; step < 6000; step++)
        {
            for (var i = 0; i < 10; i++)
            {
                waiting.Add(limiter.AcquireAsync(_time.GetUtcNow() + TimeSpan.FromSeconds(2)).AsTask());
            }

            _time.Advance(TimeSpan.FromMilliseconds(100));
            granted += waiting.Count(w => w.IsCompleted && w.GetAwaiter().GetResult());
            waiting.RemoveAll(w => w.IsCompleted);
        }

        var minutes = (_time.GetUtcNow() - start).TotalMinutes;
        Assert.That(granted / minutes, Is.EqualTo(cap).Within(2).Percent);
    }
}
