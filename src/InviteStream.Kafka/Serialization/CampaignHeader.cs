using System.Text;
using Confluent.Kafka;

namespace InviteStream.Kafka.Serialization;

/// <summary>
/// The optional record header <c>x-campaign-id</c> (comma-separated campaign ids): the producer
/// restricts an event to those campaigns. An id no enabled campaign has is a producer/deployment
/// mismatch that must be seen (a dead letter), not silently ignored.
/// </summary>
internal static class CampaignHeader
{
    public const string Name = "x-campaign-id";

    public static EventReadResult Apply(ConsumeResult<byte[]?, byte[]?> record, EventReadResult read, Func<string, bool> knownCampaign)
    {
        if (read.Event is null || record.Message.Headers?.TryGetLastBytes(Name, out var header) != true)
        {
            return read;
        }

        var named = Encoding.UTF8.GetString(header).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = named.FirstOrDefault(id => !knownCampaign(id));
        return unknown is not null ? EventReadResult.Failed($"unknown_campaign:{unknown}") : read with { OnlyCampaigns = named };
    }
}
