namespace InviteStream.Kafka.Pipeline;

/// <summary>The topics do not fit together (missing, or partition counts that break co-partitioning).</summary>
public sealed class TopicLayoutException : Exception
{
    public TopicLayoutException()
    {
    }

    public TopicLayoutException(string message)
        : base(message)
    {
    }

    public TopicLayoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
