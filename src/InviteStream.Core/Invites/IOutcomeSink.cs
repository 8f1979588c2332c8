using InviteStream.Core.Outcomes;

namespace InviteStream.Core.Invites;

/// <summary>Where the <see cref="InviteFlow"/> publishes the one outcome of a decision.</summary>
public interface IOutcomeSink
{
    /// <summary>Completes once the outcome is durable (or part of the open transaction).</summary>
    Task PublishAsync(InviteOutcome outcome, CancellationToken cancellationToken);

    /// <summary>
    /// Hands the outcome over, and completes once it is queued behind every outcome handed over
    /// before it; the task it gives completes once the outcome is durable. Outcomes handed over one
    /// after another are written in that order, without each waiting for the one before to be durable.
    /// </summary>
    async ValueTask<Task> HandOverAsync(InviteOutcome outcome, CancellationToken cancellationToken)
    {
        await PublishAsync(outcome, cancellationToken);
        return Task.CompletedTask;
    }
}
