namespace InviteStream.Core.Dispatch;

/// <summary>
/// The recent grants of the engagement API's budget, to keep across restarts: after one, the budget
/// starts from the grants still inside its window, not from a full budget the engine would refuse.
/// </summary>
public interface IApiGrants
{
    IReadOnlyList<DateTimeOffset> RecentGrants { get; }

    void Restore(IEnumerable<DateTimeOffset> grants);
}
