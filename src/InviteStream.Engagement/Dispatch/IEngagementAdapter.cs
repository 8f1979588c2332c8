using InviteStream.Core.Dispatch;

namespace InviteStream.Engagement.Dispatch;

/// <summary>One engagement API's HTTP contract: sends one invite and says what came back.</summary>
public interface IEngagementAdapter
{
    Task<AdapterResponse> SendAsync(InviteRequest request, CancellationToken cancellationToken);

    /// <summary>Until when the API suppresses invites to this contact; null when it does not, or cannot say.</summary>
    Task<DateTimeOffset?> SuppressedUntilAsync(string contactId, CancellationToken cancellationToken);
}
