namespace InviteStream.Kafka.Pipeline;

/// <summary>What the start-up check learned about the topics, for whoever needs it later.</summary>
public sealed class TopicLayout
{
    /// <summary>Partitions of the input topic; 0 until the check has run.</summary>
    public int InputPartitions { get; internal set; }

    /// <summary>Partitions of the trigger topic; 0 until the check has run.</summary>
    public int TriggerPartitions { get; internal set; }
}
