using InviteStream.Core.Outcomes;

namespace InviteStream.Core.Invites;

/// <summary>Where the <see cref="InviteFlow"/> publishes the one outcome of a decision.</summary>
public interface IOutcomeSink
{
    /// <summary>Completes once the outcome is durable (or part of the open transaction).</summary>
    Task PublishAsync(InviteOutcome outcome, CancellationToken cancellationToken);
}
