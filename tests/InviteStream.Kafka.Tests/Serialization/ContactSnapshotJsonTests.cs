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
        yield return new TestCaseData(new ContactSnapshot("ext:c", [], new PendingInvite("t:0:5", "guide", At, new EventOrigin("t.repartition", 0, 9))))
            .SetName("a pending invite with the record its event was read from");
        yield return new TestCaseData(new ContactSnapshot(
            "ext:c",
            [new InviteRecord("guide", At)],
            Decisions: [new RememberedDecision("t:0:5", OutcomeStatus.Delivered, "guide", null, null, At, 8.5, new EventOrigin("results", 0, 3), new EventOrigin("t", 0, 5))]))
            .SetName("a decision published from its result, with the record its event was read from");
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

    [Test]
    public void Restoring_records_into_a_store_leaves_it_as_restoring_their_snapshots_one_by_one()
    {
        // Every record after every other, as a changelog holds a contact's records before compaction.
        var records = Snapshots().Select(c => (ContactSnapshot?)c.Arguments[0])
            .Append(new ContactSnapshot("ext:c", [], EngineContactId: "g-9"))
            .Append(null)
            .ToList();
        foreach (var earlier in records)
        {
            foreach (var later in records)
            {
                var fromRecords = new ContactStateStore(TimeSpan.FromDays(30));
                var fromSnapshots = new ContactStateStore(TimeSpan.FromDays(30));
                foreach (var snapshot in new[] { earlier, later })
                {
                    ContactSnapshotJson.Restore(fromRecords, "ext:c", snapshot is null ? null : ContactSnapshotJson.Write(snapshot));
                    fromSnapshots.Restore(snapshot ?? new ContactSnapshot("ext:c", []));
                }

                var expected = fromSnapshots.Snapshot("ext:c");
                var actual = fromRecords.Snapshot("ext:c");
                var pair = $"{Describe(earlier)}, then {Describe(later)}";
                Assert.Multiple(() =>
                {
                    Assert.That(actual.Invites, Is.EqualTo(expected.Invites), pair);
                    Assert.That(actual.Pending, Is.EqualTo(expected.Pending), pair);
                    Assert.That(actual.SuppressedByEngineUntil, Is.EqualTo(expected.SuppressedByEngineUntil), pair);
                    Assert.That(actual.Decisions, Is.EqualTo(expected.Decisions), pair);
                    Assert.That(actual.EngineContactId, Is.EqualTo(expected.EngineContactId), pair);
                    Assert.That(fromRecords.Count, Is.EqualTo(fromSnapshots.Count), pair);
                });
            }
        }

        static string Describe(ContactSnapshot? snapshot) => snapshot is null ? "a tombstone" : ContactSnapshotJson.Write(snapshot).Length + " bytes of " + snapshot;
    }
}
