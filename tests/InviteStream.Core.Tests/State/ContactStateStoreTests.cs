using InviteStream.Core.State;

namespace InviteStream.Core.Tests.State;

[TestFixture]
public sealed class ContactStateStoreTests
{
    private static readonly DateTimeOffset Start = new(2026, 5, 21, 14, 0, 0, TimeSpan.Zero);

    [Test]
    public void Invites_are_kept_oldest_first_and_dropped_once_older_than_the_retention()
    {
        var store = new ContactStateStore(TimeSpan.FromMinutes(10));
        store.ApplyInvite("c", "a", Start);
        store.ApplyInvite("c", "b", Start.AddMinutes(5));
        var snapshot = store.ApplyInvite("c", "a", Start.AddMinutes(10));

        Assert.That(snapshot.Invites, Is.EqualTo(new[] { new InviteRecord("b", Start.AddMinutes(5)), new InviteRecord("a", Start.AddMinutes(10)) }));
        Assert.That(store.InvitesOf("c"), Is.EqualTo(new[] { new InviteRecord("b", Start.AddMinutes(5)), new InviteRecord("a", Start.AddMinutes(10)) }));
    }

    [Test]
    public void Contacts_no_cooldown_can_apply_to_are_evicted_and_the_others_kept()
    {
        var store = new ContactStateStore(TimeSpan.FromMinutes(10));
        store.ApplyInvite("old", "a", Start);
        store.ApplyInvite("recent", "a", Start.AddMinutes(5));

        var evicted = new List<string>();
        Assert.That(store.EvictExpired(Start.AddMinutes(10), evicted.Add), Is.EqualTo(1));
        Assert.That(evicted, Is.EqualTo(new[] { "old" }), "told which contact was dropped");
        Assert.That(store.Count, Is.EqualTo(1));
        Assert.That(store.InvitesOf("old"), Is.Empty);
        Assert.That(store.InvitesOf("recent"), Has.Count.EqualTo(1));
    }

    [Test]
    public void A_snapshot_restores_the_same_state_in_another_store()
    {
        var source = new ContactStateStore(TimeSpan.FromHours(1));
        source.ApplyInvite("c", "a", Start);
        source.ApplyInvite("c", "b", Start.AddMinutes(1));
        var target = new ContactStateStore(TimeSpan.FromHours(1));

        target.Restore(source.Snapshot("c"));

        Assert.That(target.InvitesOf("c"), Is.EqualTo(new[] { new InviteRecord("a", Start), new InviteRecord("b", Start.AddMinutes(1)) }));
    }

    [Test]
    public void The_engines_id_of_a_contact_travels_with_its_snapshot_and_goes_with_its_state()
    {
        var source = new ContactStateStore(TimeSpan.FromMinutes(10));
        var decision = new RememberedDecision("r1", Outcomes.OutcomeStatus.Delivered, "a", "segment_assigned", null, Start, 1, new Events.EventOrigin("in", 0, 1));
        source.Record("c", decision, new InviteRecord("a", Start), engineContactId: "genesys-1");
        var target = new ContactStateStore(TimeSpan.FromMinutes(10));

        target.Restore(source.Snapshot("c"));

        Assert.That(target.EngineContactIdOf("c"), Is.EqualTo("genesys-1"), "another replica, or a restart, knows it");
        target.ForgetDecisions("c");
        Assert.That(target.EvictExpired(Start.AddMinutes(11)), Is.EqualTo(1));
        Assert.That(target.EngineContactIdOf("c"), Is.Null, "dropped with the contact's state");
    }

    [Test]
    public void A_contact_left_with_nothing_but_its_engine_id_is_forgotten_entirely()
    {
        var store = new ContactStateStore(TimeSpan.FromMinutes(10));
        var failed = new RememberedDecision("r1", Outcomes.OutcomeStatus.Failed, "a", "http_500", null, Start, 1, new Events.EventOrigin("in", 0, 1));
        store.Record("c", failed, engineContactId: "genesys-1");
        Assert.That(store.EngineContactIdOf("c"), Is.EqualTo("genesys-1"));

        store.ForgetDecisions("c");

        Assert.That(store.Count, Is.Zero);
        Assert.That(store.EngineContactIdOf("c"), Is.Null);
    }

    [Test]
    public void Restoring_an_empty_snapshot_forgets_the_contact()
    {
        var store = new ContactStateStore(TimeSpan.FromHours(1));
        store.ApplyInvite("c", "a", Start);
        store.Restore(new ContactSnapshot("c", []));
        Assert.That(store.Count, Is.Zero);
    }

    [Test]
    public void Unknown_contacts_have_no_invites() =>
        Assert.That(new ContactStateStore(TimeSpan.FromHours(1)).InvitesOf("nobody"), Is.Empty);
}
