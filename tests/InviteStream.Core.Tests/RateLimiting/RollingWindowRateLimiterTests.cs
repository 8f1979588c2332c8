using InviteStream.Core.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace InviteStream.Core.Tests.RateLimiting;

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
    public async Task A_grant_tells_when_it_was_made_and_counts_until_it_leaves_the_window()
    {
        using var limiter = new RollingWindowRateLimiter(1, Window, _time);
        var first = await limiter.AcquireGrantAsync(_time.GetUtcNow());
        _time.Advance(TimeSpan.FromSeconds(20));

        Assert.That(first, Is.EqualTo(new DateTimeOffset(2026, 5, 21, 14, 0, 0, TimeSpan.Zero)));
        Assert.That(await limiter.AcquireGrantAsync(_time.GetUtcNow()), Is.Null);
        Assert.That(limiter.RecentGrants, Is.EqualTo(new[] { first!.Value }));
    }

    [Test]
    public void Restored_grants_take_permits_until_they_leave_the_window_and_older_ones_none()
    {
        using var limiter = new RollingWindowRateLimiter(3, Window, _time);
        var now = _time.GetUtcNow();
        limiter.Restore([now.AddSeconds(-70), now.AddSeconds(-50), now.AddSeconds(-10)]);

        Assert.That(limiter.Available, Is.EqualTo(1), "two of the three restored grants are inside the window");
        Assert.That(Now(limiter), Is.True);
        Assert.That(Now(limiter), Is.False);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.That(Now(limiter), Is.True, "the grant of 50 s ago left the window");
    }

    [Test]
    public void Restoring_more_grants_than_the_cap_keeps_the_newest()
    {
        using var limiter = new RollingWindowRateLimiter(2, Window, _time);
        var now = _time.GetUtcNow();
        limiter.Restore([now.AddSeconds(-30), now.AddSeconds(-20), now.AddSeconds(-10)]);

        Assert.That(limiter.RecentGrants, Is.EqualTo(new[] { now.AddSeconds(-20), now.AddSeconds(-10) }));
    }

    [Test]
    public async Task A_returned_grant_frees_its_permit_for_the_next_waiter()
    {
        using var limiter = new RollingWindowRateLimiter(1, Window, _time);
        var granted = await limiter.AcquireGrantAsync(_time.GetUtcNow());
        var waiting = limiter.AcquireGrantAsync(_time.GetUtcNow().AddSeconds(90)).AsTask();
        Assert.That(waiting.IsCompleted, Is.False);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.That(limiter.Return(granted!.Value), Is.True);
        Assert.That(await waiting.WaitAsync(TimeSpan.FromSeconds(5)), Is.EqualTo(_time.GetUtcNow()));
        Assert.That(limiter.Return(granted.Value), Is.False, "a grant is given back once");
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

    [Test]
    public void A_paced_limiter_grants_a_twentieth_of_its_budget_at_once_then_one_permit_per_window_share()
    {
        using var limiter = new RollingWindowRateLimiter(40, TimeSpan.FromSeconds(40), _time, paced: true);
        Assert.That(Enumerable.Range(0, 2).Count(_ => Now(limiter)), Is.EqualTo(2));

        var third = limiter.AcquireGrantAsync(_time.GetUtcNow() + TimeSpan.FromSeconds(5)).AsTask();
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.That(third.IsCompleted, Is.False, "a second (40 s / 40) after the last grant, not before");
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(third.IsCompletedSuccessfully && third.GetAwaiter().GetResult() == _time.GetUtcNow(), Is.True);
    }

    [Test]
    public async Task A_paced_grant_given_back_gives_back_its_slot_and_the_next_waiter_is_served_at_once()
    {
        // 30 a minute: one grant every 2 s once the first is spent.
        using var limiter = new RollingWindowRateLimiter(30, Window, _time, paced: true);
        Assert.That(Now(limiter), Is.True);
        var second = limiter.AcquireGrantAsync(_time.GetUtcNow().AddSeconds(10)).AsTask();
        var third = limiter.AcquireGrantAsync(_time.GetUtcNow().AddSeconds(10)).AsTask();
        _time.Advance(TimeSpan.FromSeconds(2));
        var unused = await second.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(third.IsCompleted, Is.False, "paced: the third waits for its own slot");

        // The second could not be sent (its deadline passed while its grant was recorded).
        _time.Advance(TimeSpan.FromMilliseconds(150));
        Assert.That(limiter.Return(unused!.Value), Is.True);
        Assert.That(await third.WaitAsync(TimeSpan.FromSeconds(5)), Is.EqualTo(_time.GetUtcNow()), "the returned slot, not one 2 s later");

        // The grid goes on from the returned slot: the next grant 2 s after it, not after the third.
        var fourth = limiter.AcquireGrantAsync(_time.GetUtcNow().AddSeconds(10)).AsTask();
        _time.Advance(TimeSpan.FromMilliseconds(1849));
        Assert.That(fourth.IsCompleted, Is.False);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(fourth.IsCompletedSuccessfully, Is.True, "4 s after the first grant");
    }

    [Test]
    public void An_older_grant_given_back_leaves_the_pacing_as_it_is()
    {
        using var limiter = new RollingWindowRateLimiter(30, Window, _time, paced: true);
        var first = _time.GetUtcNow();
        Assert.That(Now(limiter), Is.True);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.That(Now(limiter), Is.True);

        Assert.That(limiter.Return(first), Is.True);
        Assert.That(Now(limiter), Is.False, "the latest grant's slot still paces the next");
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.That(Now(limiter), Is.True);
    }

    [Test]
    public void Under_saturation_every_window_of_a_paced_limiter_holds_the_cap_or_one_less_and_never_more()
    {
        const int cap = 30;
        var window = TimeSpan.FromMinutes(1);
        using var limiter = new RollingWindowRateLimiter(cap, window, _time, paced: true);
        var grants = new List<DateTimeOffset>();
        var waiting = new List<Task<DateTimeOffset?>>();

        // Five minutes of demand far above the cap in 10 ms steps; some permits are held a while
        // after their grant (their requests answered late) and count from then.
        var random = new Random(42);
        for (var step = 0; step < 30_000; step++)
        {
            if (step % 10 == 0)
            {
                waiting.Add(limiter.AcquireGrantAsync(_time.GetUtcNow() + TimeSpan.FromSeconds(10)).AsTask());
            }

            _time.Advance(TimeSpan.FromMilliseconds(10));
            foreach (var done in waiting.Where(w => w.IsCompleted).ToList())
            {
                waiting.Remove(done);
                if (done.GetAwaiter().GetResult() is { } grantedAt)
                {
                    var answeredAt = grantedAt + TimeSpan.FromMilliseconds(random.Next(0, 40));
                    limiter.Hold(grantedAt, answeredAt);
                    grants.Add(answeredAt);
                }
            }
        }

        grants.Sort();
        var counts = new List<int>();
        for (var start = grants[0]; start + window <= grants[^1]; start += TimeSpan.FromMilliseconds(10))
        {
            counts.Add(grants.Count(g => g >= start && g < start + window));
        }

        Assert.That(counts.Max(), Is.LessThanOrEqualTo(cap), "never more than the cap, counted from the answers");
        Assert.That(counts.Min(), Is.GreaterThanOrEqualTo(cap - 1), "no window between bursts left half empty");
    }

    [Test]
    public void Paced_grants_served_late_keep_to_their_grid_so_no_window_loses_more_than_two()
    {
        // 100 per 10 s: a paced grant every 100 ms, each served up to 7 ms late (the steps of the
        // clock, as a busy machine's timers are) and held up to 20 ms for its answer.
        const int cap = 100;
        var window = TimeSpan.FromSeconds(10);
        var step = TimeSpan.FromMilliseconds(7);
        using var limiter = new RollingWindowRateLimiter(cap, window, _time, paced: true);
        var answers = new List<DateTimeOffset>();
        var waiting = new List<Task<DateTimeOffset?>>();
        var random = new Random(7);
        for (var i = 0; i < 10_000; i++)
        {
            while (waiting.Count < 20)
            {
                waiting.Add(limiter.AcquireGrantAsync(_time.GetUtcNow() + TimeSpan.FromSeconds(30)).AsTask());
            }

            _time.Advance(step);
            foreach (var done in waiting.Where(w => w.IsCompleted).ToList())
            {
                waiting.Remove(done);
                if (done.GetAwaiter().GetResult() is { } grantedAt)
                {
                    var answeredAt = grantedAt + TimeSpan.FromMilliseconds(random.Next(0, 20));
                    limiter.Hold(grantedAt, answeredAt);
                    answers.Add(answeredAt);
                }
            }
        }

        answers.Sort();
        var counts = new List<int>();
        for (var start = answers[0] + window; start + window <= answers[^1]; start += TimeSpan.FromMilliseconds(5))
        {
            counts.Add(answers.Count(a => a >= start && a < start + window));
        }

        Assert.That(counts.Max(), Is.LessThanOrEqualTo(cap));
        Assert.That(counts.Min(), Is.GreaterThanOrEqualTo(cap - 2), "late grants do not push the later ones back");
    }
}
