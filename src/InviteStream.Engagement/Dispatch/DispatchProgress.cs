namespace InviteStream.Engagement.Dispatch;

/// <summary>
/// What one invite's attempts have done so far, kept between them: each attempt is one HTTP call,
/// so an invite that needs more than one (a token the API refused, segments a partial success left
/// unprocessed) goes through the dispatcher again, taking an API permit and following the backoff.
/// </summary>
public sealed class DispatchProgress
{
    /// <summary>The token the API refused (401): the next attempt renews it first.</summary>
    public string? RejectedToken { get; set; }

    /// <summary>Whether a refused token was renewed already: a second refusal is final.</summary>
    public bool TokenRenewed { get; set; }

    /// <summary>For journey segments: the assignments a partial success left unprocessed (null: none sent yet).</summary>
    public IReadOnlyList<string>? PendingSegments { get; set; }

    /// <summary>For journey segments: how many times unprocessed assignments were sent again.</summary>
    public int Resends { get; set; }

    /// <summary>For journey segments: the Genesys external contact id, once known.</summary>
    public string? ExternalContactId { get; set; }

    /// <summary>The id came from the contact's state: if Genesys no longer knows it (merged, deleted), it is looked up again, once.</summary>
    public bool ContactIdFromState { get; set; }

    /// <summary>For journey segments: the lookup found no contact and the next call creates it.</summary>
    public bool CreatingContact { get; set; }

    /// <summary>For journey segments: the contact's current segments were looked at (or need not be).</summary>
    public bool SegmentsChecked { get; set; }

    /// <summary>For journey segments: the contact holds the segment and the next call unassigns it, to assign it anew.</summary>
    public bool UnassignFirst { get; set; }
}
