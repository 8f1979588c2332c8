using System.Globalization;
using System.Text.Json;

namespace InviteStream.IntegrationTests;

/// <summary>Behavioral event JSON as producers send it.</summary>
internal static class TestEvents
{
    public static string Event(
        string eventId, string contactId, DateTimeOffset occurredAt, object churn, int? dwell = 52, bool authenticated = true, string? correlationId = null)
    {
        var attributes = new Dictionary<string, object?>
        {
            ["external.churn_probability"] = churn,
            ["contact.is_authenticated"] = authenticated,
            ["browser.locale"] = "en-US",
            ["referrer.page"] = "/pricing/enterprise",
            ["unrelated.attribute"] = "not sent",
        };
        if (dwell is { } seconds)
        {
            attributes["session.dwell_time_seconds"] = seconds;
        }

        return JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["eventId"] = eventId,
            ["contactId"] = contactId,
            ["channelId"] = "webchat:primary_embed",
            ["occurredAt"] = occurredAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            ["correlationId"] = correlationId ?? $"corr_{eventId}",
            ["attributes"] = attributes,
        });
    }
}
