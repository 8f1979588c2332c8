namespace InviteStream.Simulator;

/// <summary>A journey segment the simulator assigned to an external contact.</summary>
public sealed record SegmentAssignment(string ContactId, string SegmentId, DateTimeOffset AssignedAt);
