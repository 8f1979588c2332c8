using System.Text;
using InviteStream.Core.Attributes;
using InviteStream.Core.Dispatch;
using InviteStream.Core.Events;
using InviteStream.Core.Invites;
using InviteStream.Core.State;
using InviteStream.Kafka.Serialization;
using InviteStream.Kafka.State;

namespace InviteStream.Kafka.Tests.Serialization;

/// <summary>
/// The engine's id of a contact rides from the contact's state to dispatch on the trigger, back on
/// the result, and into the changelog: each record keeps it, and records written before it existed
/// still read.
/// </summary>
[TestFixture]
public sealed class EngineContactIdJsonTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);

    [Test]
    public void The_changelog_record_keeps_the_engines_contact_id()
    {
        var snapshot = new ContactSnapshot("ext:c", [new InviteRecord("guide", At)], EngineContactId: "genesys-1");

        var read = ContactSnapshotJson.Read("ext:c", ContactSnapshotJson.Write(snapshot));

        Assert.That(read.EngineContactId, Is.EqualTo("genesys-1"));
        Assert.That(read.Invites, Is.EqualTo(snapshot.Invites));
    }

    [Test]
    public void A_changelog_record_written_before_the_field_existed_reads_without_it()
    {
        var older = """{"contactId":"ext:c","invites":[{"campaignId":"guide","at":"2026-12-03T10:00:00.000Z"}]}""";

        var read = ContactSnapshotJson.Read("ext:c", Encoding.UTF8.GetBytes(older));

        Assert.That(read.EngineContactId, Is.Null);
        Assert.That(read.Invites, Has.Count.EqualTo(1));
    }

    [Test]
    public void Trigger_and_result_carry_the_engines_contact_id_both_ways()
    {
        var behavioralEvent = new BehavioralEvent("e1", "ext:c", "webchat:primary_embed", At, new Dictionary<string, AttributeValue>(), null);
        var trigger = new InviteTrigger("guide", behavioralEvent, new EventOrigin("in", 0, 7), At.AddSeconds(10), true, At, "genesys-1");

        var (readTrigger, partition) = TriggerJson.ReadTrigger(TriggerJson.WriteTrigger(trigger, 3));
        var (_, readResult) = TriggerJson.ReadResult(TriggerJson.WriteResult(trigger, 3, new DispatchResult(DispatchStatus.Delivered, "segment_assigned", EngineContactId: "genesys-2")));

        Assert.That((readTrigger.EngineContactId, partition), Is.EqualTo(("genesys-1", 3)));
        Assert.That((readResult.Status, readResult.Reason, readResult.EngineContactId), Is.EqualTo((DispatchStatus.Delivered, "segment_assigned", "genesys-2")));
    }
}
