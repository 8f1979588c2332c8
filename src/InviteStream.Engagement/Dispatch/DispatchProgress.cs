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
}
