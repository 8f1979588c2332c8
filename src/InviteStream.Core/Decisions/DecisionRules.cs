namespace InviteStream.Core.Decisions;

/// <summary>The switches of the decision rules.</summary>
/// <param name="MaxEventAge">Events older than this at decision time are never dispatched.</param>
/// <param name="ConsolidatedSuppression">An invite by any campaign suppresses the others (the guide's behaviour).</param>
public sealed record DecisionRules(TimeSpan MaxEventAge, bool ConsolidatedSuppression = true)
{
    public static DecisionRules Default { get; } = new(TimeSpan.FromSeconds(30));
}
