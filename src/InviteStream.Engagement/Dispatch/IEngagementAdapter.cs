using InviteStream.Core.Dispatch;

namespace InviteStream.Engagement.Dispatch;

/// <summary>One engagement API's HTTP contract: one call towards an invite, and what came back.</summary>
public interface IEngagementAdapter
{
    /// <summary>Makes exactly one HTTP call: the first, or the next one <paramref name="progress"/> asks for.</summary>
    Task<AdapterResponse> SendAsync(InviteRequest request, DispatchProgress progress, CancellationToken cancellationToken);

    /// <summary>Until when the API suppresses invites to this contact; null when it does not, or cannot say.</summary>
    Task<DateTimeOffset?> SuppressedUntilAsync(string contactId, CancellationToken cancellationToken);
}
