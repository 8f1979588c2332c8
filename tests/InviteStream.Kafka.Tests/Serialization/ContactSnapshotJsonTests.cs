using System.Text;
using InviteStream.Core.Events;
using InviteStream.Core.Outcomes;
using InviteStream.Core.State;
using InviteStream.Kafka.State;

namespace InviteStream.Kafka.Tests.Serialization;

/// <summary>
/// A contact's changelog record reads back as written, whichever of its two readers takes it: the
/// one-pass reader of records that hold only invites, or the document reader of the others.
/// </summary>
[TestFixture]
public sealed class ContactSnapshotJsonTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 3, 10, 0, 0, 123, TimeSpan.Zero);

    private static IEnumerable<TestCaseData> Snapshots()
    {
        yield return new TestCaseData(new ContactSnapshot("ext:c", [new InviteRecord("guide", At)])).SetName("one invite");
        yield return new TestCaseData(new ContactSnapshot("ext:c", [new InviteRecord("guide", At), new InviteRecord("other", At.AddHours(1))], EngineContactId: "g-1"))
            .SetName("two invites and the engine's id");
        yield return new TestCaseData(new ContactSnapshot("ext:c", [], new PendingInvite("r-1", "guide", At))).SetName("a pending invite only");
        yield return new TestCaseData(new ContactSnapshot("ext:c", [new InviteRecord("guide", At)], SuppressedByEngineUntil: At.AddDays(1))).SetName("an engine suppression");
        yield return new TestCaseData(new ContactSnapshot(
            "ext:c",
            [new InviteRecord("guide", At)],
            Decisions: [new RememberedDecision("t:0:5", OutcomeStatus.Suppressed, "guide", "cooldown", At.AddDays(1), At, 1.5, new EventOrigin("t", 0, 5))]))
            .SetName("a remembered decision");
    }

    [TestCaseSource(nameof(Snapshots))]
    public void A_snapshot_reads_back_as_written(ContactSnapshot snapshot)
    {
        var read = ContactSnapshotJson.Read(snapshot.ContactId, ContactSnapshotJson.Write(snapshot));

        Assert.Multiple(() =>
        {
            Assert.That(read.Invites, Is.EqualTo(snapshot.Invites));
            Assert.That(read.Invites.Select(i => i.At.Offset), Is.All.EqualTo(TimeSpan.Zero));
            Assert.That(read.Pending, Is.EqualTo(snapshot.Pending));
            Assert.That(read.SuppressedByEngineUntil, Is.EqualTo(snapshot.SuppressedByEngineUntil));
            Assert.That(read.Decisions, Is.EqualTo(snapshot.Decisions));
            Assert.That(read.EngineContactId, Is.EqualTo(snapshot.EngineContactId));
        });
    }

    [Test]
    public void Fields_in_another_order_or_unknown_ones_still_read()
    {
        var reordered = """{"invites":[{"at":"2026-12-03T10:00:00.123Z","campaignId":"guide"}],"engineContactId":"g-1","contactId":"ext:c","future":{"x":[1]}}""";

        var read = ContactSnapshotJson.Read("ext:c", Encoding.UTF8.GetBytes(reordered));

        Assert.That(read.Invites, Is.EqualTo(new[] { new InviteRecord("guide", At) }));
        Assert.That(read.EngineContactId, Is.EqualTo("g-1"));
    }

    [Test]
    public void A_tombstone_is_a_contact_without_state() =>
        Assert.That(ContactSnapshotJson.Read("ext:c", null).IsEmpty, Is.True);
}
