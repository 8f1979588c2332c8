using InviteStream.Simulator.Rules;

namespace InviteStream.Simulator.Tests.Rules;

/// <summary>The engine's suppression tokens: per-campaign caps in a cooldown window, consolidated across campaigns.</summary>
[TestFixture]
public sealed class CooldownBookTests
{
    [Test]
    public void A_contact_without_invites_is_not_suppressed() =>
        Assert.That(new CooldownBook().SuppressedUntil(Campaign("a", cooldownSeconds: 3600), At("14:00:00")), Is.Null);

    [Test]
    public void An_invite_suppresses_its_campaign_until_it_leaves_the_window()
    {
        var book = new CooldownBook();
        book.Record("a", At("14:00:00"));

        Assert.That(book.SuppressedUntil(Campaign("a", cooldownSeconds: 3600), At("14:59:59")), Is.EqualTo(At("15:00:00")));
    }

    [Test]
    public void An_invite_exactly_one_cooldown_old_no_longer_suppresses()
    {
        var book = new CooldownBook();
        book.Record("a", At("14:00:00"));

        Assert.That(book.SuppressedUntil(Campaign("a", cooldownSeconds: 3600), At("15:00:00")), Is.Null);
    }

    [Test]
    public void A_cap_above_one_lets_invites_through_until_it_is_reached()
    {
        var book = new CooldownBook();
        book.Record("a", At("14:00:00"));

        Assert.That(book.SuppressedUntil(Campaign("a", cooldownSeconds: 3600, maxInvitesPerContact: 2), At("14:30:00")), Is.Null);
    }

    [Test]
    public void A_reached_cap_is_suppressed_until_the_oldest_invite_in_the_window_leaves_it()
    {
        var book = new CooldownBook();
        book.Record("a", At("14:00:00"));
        book.Record("a", At("14:20:00"));

        Assert.That(book.SuppressedUntil(Campaign("a", cooldownSeconds: 3600, maxInvitesPerContact: 2), At("14:30:00")), Is.EqualTo(At("15:00:00")));
    }

    [Test]
    public void Invites_that_left_the_window_do_not_count_towards_the_cap()
    {
        var book = new CooldownBook();
        book.Record("a", At("14:00:00"));
        book.Record("a", At("14:20:00"));
        book.Record("a", At("15:10:00"));

        Assert.That(book.SuppressedUntil(Campaign("a", cooldownSeconds: 3600, maxInvitesPerContact: 2), At("15:15:00")), Is.EqualTo(At("15:20:00")));
    }

    [Test]
    public void A_lowered_cap_waits_until_enough_of_the_oldest_invites_leave_the_window()
    {
        var book = new CooldownBook();
        book.Record("a", At("14:00:00"));
        book.Record("a", At("14:10:00"));
        book.Record("a", At("14:20:00"));

        Assert.That(book.SuppressedUntil(Campaign("a", cooldownSeconds: 3600, maxInvitesPerContact: 2), At("14:30:00")), Is.EqualTo(At("15:10:00")));
        Assert.That(book.SuppressedUntil(Campaign("a", cooldownSeconds: 3600, maxInvitesPerContact: 1), At("14:30:00")), Is.EqualTo(At("15:20:00")));
    }

    [Test]
    public void Another_campaigns_invite_suppresses_for_the_asking_campaigns_cooldown()
    {
        var book = new CooldownBook();
        book.Record("b", At("14:00:00"));

        Assert.That(book.SuppressedUntil(Campaign("a", cooldownSeconds: 600), At("14:05:00")), Is.EqualTo(At("14:10:00")));
        Assert.That(book.SuppressedUntil(Campaign("a", cooldownSeconds: 600), At("14:10:00")), Is.Null);
    }

    [Test]
    public void Another_campaigns_invite_suppresses_even_when_the_own_cap_has_room()
    {
        var book = new CooldownBook();
        book.Record("b", At("14:00:00"));

        Assert.That(book.SuppressedUntil(Campaign("a", cooldownSeconds: 3600, maxInvitesPerContact: 5), At("14:30:00")), Is.EqualTo(At("15:00:00")));
    }

    [Test]
    public void The_suppression_lasts_until_the_latest_blocking_invite_leaves_the_window()
    {
        var book = new CooldownBook();
        book.Record("a", At("14:00:00"));
        book.Record("b", At("14:30:00"));
        book.Record("c", At("14:10:00"));

        Assert.That(book.SuppressedUntil(Campaign("a", cooldownSeconds: 3600), At("14:45:00")), Is.EqualTo(At("15:30:00")));
    }

    [Test]
    public void The_own_cap_wins_when_it_ends_after_the_other_campaigns_invites()
    {
        var book = new CooldownBook();
        book.Record("b", At("14:00:00"));
        book.Record("a", At("14:30:00"));

        Assert.That(book.SuppressedUntil(Campaign("a", cooldownSeconds: 3600), At("14:45:00")), Is.EqualTo(At("15:30:00")));
    }

    private static EngineCampaign Campaign(string id, int cooldownSeconds, int maxInvitesPerContact = 1) =>
        new(id, [], new ContactThrottle(maxInvitesPerContact, TimeSpan.FromSeconds(cooldownSeconds)));

    private static DateTimeOffset At(string time) => DateTimeOffset.Parse($"2026-05-21T{time}Z", System.Globalization.CultureInfo.InvariantCulture);
}
