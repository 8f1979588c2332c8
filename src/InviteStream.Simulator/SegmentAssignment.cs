namespace InviteStream.Simulator;

/// <summary>A journey segment the simulator holds assigned to an external contact, until <see cref="UnassignAt"/>.</summary>
/// <param name="Assignments">How many calls assigned it (a repeat only extends <see cref="UnassignAt"/>).</param>
public sealed record SegmentAssignment(string ContactId, string SegmentId, DateTimeOffset AssignedAt, DateTimeOffset UnassignAt, int Assignments = 1);
