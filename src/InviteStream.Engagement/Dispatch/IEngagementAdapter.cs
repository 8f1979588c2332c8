using InviteStream.Core.Dispatch;

namespace InviteStream.Engagement.Dispatch;

/// <summary>One engagement API's HTTP contract: sends one invite and says what came back.</summary>
public interface IEngagementAdapter
{
    Task<AdapterResponse> SendAsync(InviteRequest request, CancellationToken cancellationToken);
}
