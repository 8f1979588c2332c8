using Confluent.Kafka;
using InviteStream.Core.Events;
using InviteStream.Kafka.Pipeline;

namespace InviteStream.Kafka.Tests.Pipeline;

[TestFixture]
public sealed class CommittedPositionsTests
{
    [Test]
    public void A_record_is_covered_once_an_offset_past_it_is_committed()
    {
        var positions = new CommittedPositions();
        positions.Add([new TopicPartitionOffset("events", 3, 43)]);

        Assert.That(positions.Covers(new EventOrigin("events", 3, 42)), Is.True);
        Assert.That(positions.Covers(new EventOrigin("events", 3, 43)), Is.False, "the committed offset is the next one to read");
        Assert.That(positions.Covers(new EventOrigin("events", 2, 0)), Is.False, "another partition");
    }

    [Test]
    public void Commits_reported_apart_add_up_and_an_older_report_moves_nothing_back()
    {
        var positions = new CommittedPositions();
        positions.Add([new TopicPartitionOffset("results", 3, 8)]);
        positions.Add([new TopicPartitionOffset("events", 3, 43)]);
        positions.Add([new TopicPartitionOffset("results", 3, 5)]);

        // An outcome published from its result (results 3:7) for the event at events 3:42.
        Assert.That(
            new[] { new EventOrigin("results", 3, 7), new EventOrigin("events", 3, 42) }.All(positions.Covers),
            Is.True);
    }
}
