namespace InviteStream.Core;

/// <summary>Time cut into equal buckets from the epoch (minutes of the stats windows, a report's minutes or hours).</summary>
public static class TimeBuckets
{
    /// <summary>The start of the bucket of <paramref name="bucket"/>'s length that holds <paramref name="time"/>, in UTC.</summary>
    public static DateTimeOffset Floor(DateTimeOffset time, TimeSpan bucket) =>
        new(time.UtcTicks - (time.UtcTicks % bucket.Ticks), TimeSpan.Zero);
}
