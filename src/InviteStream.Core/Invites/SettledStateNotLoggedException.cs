using InviteStream.Core.Outcomes;

namespace InviteStream.Core.Invites;

/// <summary>
/// A settlement's outcome was published, but its state record failed: the outcome must not be
/// published again, and the contact's state holds the settlement in memory only.
/// </summary>
public sealed class SettledStateNotLoggedException : Exception
{
    public SettledStateNotLoggedException(InviteOutcome outcome, Exception innerException)
        : base($"The outcome of {outcome?.RequestId} was published, but the contact's settled state was not written: {innerException?.Message}", innerException)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        Outcome = outcome;
    }

    /// <summary>The outcome that was published.</summary>
    public InviteOutcome Outcome { get; }
}
