namespace InviteStream.Kafka.Serialization;

/// <summary>
/// What every event record is checked for besides its format, wherever it is read from (a topic by
/// <see cref="EventRecordReader"/>, a replay's file line by line), with the dead-letter reasons.
/// </summary>
public static class EventChecks
{
    /// <summary>A record larger than <c>Pipeline:MaxRecordBytes</c>.</summary>
    public const string TooLarge = "record_too_large";

    /// <summary>An event claiming to have happened more than <see cref="MaxClockSkew"/> ahead of the clock.</summary>
    public const string InFuture = "occurred_in_future";

    /// <summary>How far ahead of the clock an event may claim to have happened (clock skew), before it is refused.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromDays(1);

    // An event from the far future would wait for nothing and overflow every deadline computed from it.
    public static bool IsInFuture(DateTimeOffset occurredAt, DateTimeOffset now) => occurredAt - now > MaxClockSkew;

    /// <summary>The read as it is, or <see cref="InFuture"/> when its event claims a time too far ahead of <paramref name="now"/>.</summary>
    public static EventReadResult Checked(EventReadResult read, DateTimeOffset now) =>
        read.Event is { } e && IsInFuture(e.OccurredAt, now) ? EventReadResult.Failed(InFuture) : read;
}
