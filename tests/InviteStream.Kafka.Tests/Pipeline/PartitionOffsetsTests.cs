using InviteStream.Kafka.Pipeline;

namespace InviteStream.Kafka.Tests.Pipeline;

[TestFixture]
public sealed class PartitionOffsetsTests
{
    [Test]
    public void Nothing_is_committable_before_the_first_event_is_done()
    {
        var offsets = new PartitionOffsets();
        offsets.Track(5);
        Assert.That(offsets.Committable, Is.EqualTo(-1));
    }

    [Test]
    public void The_committable_offset_moves_only_over_a_contiguous_prefix_of_done_events()
    {
        var offsets = new PartitionOffsets();
        foreach (var offset in new long[] { 10, 11, 12, 13 })
        {
            offsets.Track(offset);
        }

        offsets.Complete(12);
        offsets.Complete(13);
        Assert.That(offsets.Committable, Is.EqualTo(-1), "10 and 11 are still running");

        offsets.Complete(10);
        Assert.That(offsets.Committable, Is.EqualTo(11), "next to read: 11");

        offsets.Complete(11);
        Assert.That(offsets.Committable, Is.EqualTo(14));
    }

    [Test]
    public void Events_done_where_they_were_read_wait_behind_running_ones_and_move_the_offset_on_their_own()
    {
        var offsets = new PartitionOffsets();
        offsets.TrackCompleted(0);
        Assert.That(offsets.Committable, Is.EqualTo(1));

        offsets.Track(1);
        offsets.TrackCompleted(2);
        offsets.TrackCompleted(3);
        Assert.That(offsets.Committable, Is.EqualTo(1), "1 is still running");

        offsets.Complete(1);
        Assert.That(offsets.Committable, Is.EqualTo(4));
    }

    [Test]
    public void Gaps_in_the_offsets_such_as_transaction_markers_do_not_hold_the_offset_back()
    {
        var offsets = new PartitionOffsets();
        offsets.Track(3);
        offsets.Track(7);
        offsets.Complete(7);
        offsets.Complete(3);
        Assert.That(offsets.Committable, Is.EqualTo(8));
    }
}
