namespace InviteStream.Engagement;

/// <summary>
/// What a journey-segment invite does when the contact holds the campaign's segment already. Genesys
/// then only extends the segment's expiry, and a segment-triggered action map does not fire again.
/// </summary>
public enum SegmentAlreadyAssigned
{
    /// <summary>Look first (one more call); if held, the outcome is <c>suppressed</c> (<c>segment_already_assigned</c>) until the segment lapses.</summary>
    Report,

    /// <summary>Look first; if held, unassign it and assign it again, so the action map sees a new assignment (two more calls).</summary>
    Reassign,

    /// <summary>Assign without looking: a held segment is only extended, and the outcome says <c>delivered</c> (<c>segment_assigned</c>) all the same.</summary>
    Extend,
}
