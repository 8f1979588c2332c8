namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// A lock-free latency histogram with log-spaced buckets (about 4% apart, 1 µs to an hour), so
/// percentiles cost constant memory however long the worker runs.
/// </summary>
public sealed class LatencyHistogram
{
    private const double Growth = 1.04;
    private static readonly double LogGrowth = Math.Log(Growth);
    private readonly long[] _buckets = new long[BucketOf(3_600_000_000) + 1];
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Record(double milliseconds)
    {
        var micros = Math.Clamp(milliseconds * 1000, 1, 3_600_000_000);
        Interlocked.Increment(ref _buckets[BucketOf(micros)]);
        Interlocked.Increment(ref _count);
    }

    /// <summary>The latency below which <paramref name="percentile"/> % of samples fall (bucket upper bound), in ms.</summary>
    public double Percentile(double percentile)
    {
        var total = Count;
        if (total == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(total * percentile / 100.0);
        long seen = 0;
        for (var i = 0; i < _buckets.Length; i++)
        {
            seen += Interlocked.Read(ref _buckets[i]);
            if (seen >= rank)
            {
                return Math.Pow(Growth, i + 1) / 1000;
            }
        }

        return Math.Pow(Growth, _buckets.Length) / 1000;
    }

    private static int BucketOf(double micros) => (int)(Math.Log(micros) / LogGrowth);
}
