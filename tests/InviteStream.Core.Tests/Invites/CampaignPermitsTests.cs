using InviteStream.Core.Attributes;
using InviteStream.Core.Campaigns;
using InviteStream.Core.Filters;
using InviteStream.Core.Invites;
using Microsoft.Extensions.Time.Testing;

namespace InviteStream.Core.Tests.Invites;

[TestFixture]
public sealed class CampaignPermitsTests
{
    private static readonly DateTimeOffset Start = new(2026, 5, 21, 14, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan RequestAllowance = TimeSpan.FromSeconds(11);

    [Test]
    public async Task A_grant_is_used_only_once_the_log_holds_it()
    {
        var time = new FakeTimeProvider(Start);
        var log = new HeldLog();
        using var permits = new CampaignPermits(log, time, Window, RequestAllowance);

        var acquiring = permits.AcquireAsync(Campaign(cap: 5), "r1", Start.AddSeconds(10), CancellationToken.None).AsTask();
        Assert.That(acquiring.IsCompleted, Is.False, "the grant is not durable yet");

        log.Release();
        Assert.That(await acquiring, Is.EqualTo(Start));
        Assert.That(log.Recorded.Single(), Is.EqualTo(("guide", new[] { new Grant(Start, "r1") })));
    }

    [Test]
    public async Task Grants_restored_from_an_earlier_owner_count_against_the_cap()
    {
        var time = new FakeTimeProvider(Start);
        using var permits = new CampaignPermits(new HeldLog(released: true), time, Window, RequestAllowance);
        var campaign = Campaign(cap: 2);
        permits.Restore(campaign, [new Grant(Start.AddSeconds(-30), "a", Answered: true), new Grant(Start.AddSeconds(-20), "b", Answered: true)]);

        Assert.That(await permits.AcquireAsync(campaign, "c", Start, CancellationToken.None), Is.Null, "the cap is spent by the earlier owner");
        time.Advance(TimeSpan.FromSeconds(30).Add(TimeSpan.FromMilliseconds(1)));
        Assert.That(await permits.AcquireAsync(campaign, "c", time.GetUtcNow(), CancellationToken.None), Is.EqualTo(time.GetUtcNow()), "the first restored grant left the window");
    }

    [Test]
    public async Task A_permit_counts_from_when_its_request_was_answered_and_the_log_says_so()
    {
        var time = new FakeTimeProvider(Start);
        var log = new HeldLog(released: true);
        using var permits = new CampaignPermits(log, time, Window, RequestAllowance);
        var campaign = Campaign(cap: 1);
        await permits.AcquireAsync(campaign, "r1", Start, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(2));
        await permits.AnsweredAsync(campaign, "r1", time.GetUtcNow(), CancellationToken.None);

        Assert.That(log.Recorded[^1], Is.EqualTo(("guide", new[] { new Grant(Start.AddSeconds(2), "r1", Answered: true) })));
        time.Advance(Window - TimeSpan.FromSeconds(1));
        Assert.That(await permits.AcquireAsync(campaign, "r2", time.GetUtcNow(), CancellationToken.None), Is.Null, "a minute after the grant, not yet after the answer");
        time.Advance(TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(1));
        Assert.That(await permits.AcquireAsync(campaign, "r2", time.GetUtcNow(), CancellationToken.None), Is.EqualTo(time.GetUtcNow()));
    }

    [Test]
    public async Task A_restored_grant_never_answered_counts_until_its_request_could_no_longer_arrive()
    {
        var time = new FakeTimeProvider(Start);
        using var permits = new CampaignPermits(new HeldLog(released: true), time, Window, RequestAllowance);
        var campaign = Campaign(cap: 1);
        permits.Restore(campaign, [new Grant(Start.AddSeconds(-50), "in-flight-at-a-crash")]);

        time.Advance(TimeSpan.FromSeconds(10) + RequestAllowance - TimeSpan.FromMilliseconds(1));
        Assert.That(await permits.AcquireAsync(campaign, "r2", time.GetUtcNow(), CancellationToken.None), Is.Null);
        time.Advance(TimeSpan.FromMilliseconds(2));
        Assert.That(await permits.AcquireAsync(campaign, "r2", time.GetUtcNow(), CancellationToken.None), Is.EqualTo(time.GetUtcNow()));
    }

    [Test]
    public async Task Closing_the_budgets_cancels_the_waiting_invites_and_later_ones_but_keeps_the_grants()
    {
        var time = new FakeTimeProvider(Start);
        var log = new HeldLog(released: true);
        using var permits = new CampaignPermits(log, time, Window, RequestAllowance);
        var campaign = Campaign(cap: 1);
        Assert.That(await permits.AcquireAsync(campaign, "r1", Start, CancellationToken.None), Is.EqualTo(Start));
        var waiting = permits.AcquireAsync(campaign, "r2", Start.AddSeconds(90), CancellationToken.None).AsTask();
        Assert.That(waiting.IsCompleted, Is.False, "queued for the next free permit");

        permits.Close();

        Assert.That(async () => await waiting, Throws.InstanceOf<OperationCanceledException>(), "cancelled for the next owner, not refused");
        Assert.That(async () => await permits.AcquireAsync(campaign, "r3", Start.AddSeconds(30), CancellationToken.None), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(permits.RecentGrants()["guide"].Select(g => g.RequestId), Is.EqualTo(new[] { "r1" }), "what was granted is still recorded");
    }

    [Test]
    public async Task An_invite_asking_again_gets_its_earlier_grant_and_takes_no_other()
    {
        var time = new FakeTimeProvider(Start);
        using var permits = new CampaignPermits(new HeldLog(released: true), time, Window, RequestAllowance);
        var campaign = Campaign(cap: 1);
        var first = await permits.AcquireAsync(campaign, "r1", Start, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.That(await permits.AcquireAsync(campaign, "r1", time.GetUtcNow(), CancellationToken.None), Is.EqualTo(first));
        Assert.That(await permits.AcquireAsync(campaign, "r2", time.GetUtcNow(), CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task A_grant_made_here_can_be_given_back_but_one_restored_from_an_earlier_owner_stays_counted()
    {
        var time = new FakeTimeProvider(Start);
        var log = new HeldLog(released: true);
        using var permits = new CampaignPermits(log, time, Window, RequestAllowance);
        var campaign = Campaign(cap: 2);

        // The earlier owner granted r1 and may have sent it before it was killed.
        permits.Restore(campaign, [new Grant(Start.AddSeconds(-2), "r1")]);
        var earlier = await permits.AcquireAsync(campaign, "r1", Start.AddSeconds(10), CancellationToken.None);
        Assert.That(earlier, Is.EqualTo(Start.AddSeconds(-2) + RequestAllowance), "its earlier grant, counted until its request could no longer arrive");
        Assert.That(await permits.ReturnAsync(campaign, "r1", earlier!.Value, CancellationToken.None), Is.False);

        // Cap 2, paced: the next grant 30 s after the last.
        var acquiring = permits.AcquireAsync(campaign, "r2", Start.AddSeconds(40), CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(30));
        var fresh = await acquiring;
        Assert.That(fresh, Is.Not.Null);
        Assert.That(await permits.AcquireAsync(campaign, "r3", time.GetUtcNow(), CancellationToken.None), Is.Null, "r1 and r2 hold the cap");

        Assert.That(await permits.ReturnAsync(campaign, "r2", fresh!.Value, CancellationToken.None), Is.True);
        Assert.That(log.Recorded[^1].Item2.Select(g => g.RequestId), Is.EqualTo(new[] { "r1" }), "the given-back grant is recorded as gone");
        Assert.That(await permits.AcquireAsync(campaign, "r3", time.GetUtcNow(), CancellationToken.None), Is.Not.Null, "r2's permit is free again");
    }

    [Test]
    public async Task A_grant_handed_out_again_to_the_same_invite_is_never_given_back()
    {
        var time = new FakeTimeProvider(Start);
        using var permits = new CampaignPermits(new HeldLog(released: true), time, Window, RequestAllowance);
        var campaign = Campaign(cap: 1);

        // The invite's trigger came twice (its contact's worker restarted): the first dispatch may be sending.
        var first = await permits.AcquireAsync(campaign, "r1", Start.AddSeconds(10), CancellationToken.None);
        var again = await permits.AcquireAsync(campaign, "r1", Start.AddSeconds(10), CancellationToken.None);

        Assert.That(again, Is.EqualTo(first));
        Assert.That(await permits.ReturnAsync(campaign, "r1", again!.Value, CancellationToken.None), Is.False);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.That(await permits.AcquireAsync(campaign, "r2", time.GetUtcNow(), CancellationToken.None), Is.Null, "r1's permit still counts");
    }

    private static Campaign Campaign(int cap) => new(
        "guide",
        "Guide",
        Enabled: true,
        "realtime",
        [new Filter("signal.present", FilterOperator.EqualTo, AttributeValue.FromBoolean(true), AttributeDataType.Boolean)],
        [new CampaignAction(CampaignAction.WebchatInvite, 1, null)],
        new Throttling(1, 3600, cap),
        default);

    /// <summary>A grant log whose writes complete only when released.</summary>
    private sealed class HeldLog(bool released = false) : IGrantLog
    {
        private readonly TaskCompletionSource _released = NewReleased(released);

        public List<(string, Grant[])> Recorded { get; } = [];

        public void Release() => _released.TrySetResult();

        public Task RecordAsync(string campaignId, Action<List<Grant>> readGrants, CancellationToken cancellationToken)
        {
            var grants = new List<Grant>();
            readGrants(grants);
            Recorded.Add((campaignId, [.. grants]));
            return _released.Task;
        }

        private static TaskCompletionSource NewReleased(bool released)
        {
            var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (released)
            {
                source.SetResult();
            }

            return source;
        }
    }
}
