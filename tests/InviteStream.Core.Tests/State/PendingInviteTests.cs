using InviteStream.Core.Events;
using InviteStream.Core.State;

namespace InviteStream.Core.Tests.State;

[TestFixture]
public sealed class PendingInviteTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 6, 4, 0, 0, TimeSpan.Zero);

    [TestCase("web.behavioral-events_v2", 11, 0L)]
    [TestCase("e", 0, long.MaxValue)]
    public void A_request_id_reads_back_as_the_origin_it_was_made_from(string topic, int partition, long offset)
    {
        var origin = new EventOrigin(topic, partition, offset);

        Assert.That(EventOrigin.TryParseRequestId(origin.RequestId, out var read), Is.True);
        Assert.That(read, Is.EqualTo(origin));
    }

    [TestCase("")]
    [TestCase("events")]
    [TestCase("events:3")]
    [TestCase(":3:4")]
    [TestCase("events:x:4")]
    [TestCase("events:3:-4")]
    [TestCase("events:3:")]
    public void Any_other_string_is_not_a_request_id(string requestId) =>
        Assert.That(EventOrigin.TryParseRequestId(requestId, out _), Is.False);

    [Test]
    public void An_invite_was_decided_after_an_event_only_when_it_came_later_in_the_same_source_partition()
    {
        var pending = new PendingInvite(new EventOrigin("events", 3, 40).RequestId, "guide", At);

        Assert.That(pending.WasDecidedAfter(new EventOrigin("events", 3, 39)), Is.True, "an earlier event of the partition");
        Assert.That(pending.WasDecidedAfter(new EventOrigin("events", 3, 40)), Is.False, "its own event");
        Assert.That(pending.WasDecidedAfter(new EventOrigin("events", 3, 41)), Is.False, "a later event");
        Assert.That(pending.WasDecidedAfter(new EventOrigin("events", 2, 1)), Is.False, "offsets of other partitions say nothing of order");
        Assert.That(pending.WasDecidedAfter(new EventOrigin("other", 3, 1)), Is.False, "nor those of other topics");
    }
}
