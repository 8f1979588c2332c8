namespace InviteStream.Simulator;

/// <summary>Requests the simulator received, by endpoint (<c>GET /_sim/stats</c>).</summary>
public sealed class SimulatorCounters
{
#pragma warning disable CA1051 // Incremented with Interlocked; fields on purpose.
    public long TokenRequests;
    public long ApiRequests;
    public long TriggerRequests;
    public long SegmentRequests;
    public long SegmentListings;
    public long LookupRequests;
    public long ContactCreations;
    public long SuppressionRequests;
#pragma warning restore CA1051

    public long TokenRequestCount => Interlocked.Read(ref TokenRequests);

    /// <summary>Every call under <c>/api</c>, refused ones (401, 429) included.</summary>
    public long ApiRequestCount => Interlocked.Read(ref ApiRequests);

    public long TriggerRequestCount => Interlocked.Read(ref TriggerRequests);

    public long SegmentRequestCount => Interlocked.Read(ref SegmentRequests);

    public long SegmentListingCount => Interlocked.Read(ref SegmentListings);

    public long LookupRequestCount => Interlocked.Read(ref LookupRequests);

    public long ContactCreationCount => Interlocked.Read(ref ContactCreations);

    public long SuppressionRequestCount => Interlocked.Read(ref SuppressionRequests);
}
