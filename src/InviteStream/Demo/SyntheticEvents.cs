using System.Globalization;
using System.Text;
using System.Text.Json;
using InviteStream.Core;

namespace InviteStream.Demo;

/// <summary>
/// A realistic, seeded stream of behavioral events for the demo: a few thousand contacts, some
/// visiting repeatedly (repeats inside the cooldown), many below the guide campaign's thresholds,
/// some with the guide's trap of numbers sent as strings, a few stale events and a few malformed
/// records for the dead-letter topic.
/// </summary>
internal sealed class SyntheticEvents(int contacts, int seed)
{
    private readonly Random _random = new(seed);
    private long _sequence;

    public (string? Key, byte[] Value) Next(DateTimeOffset now)
    {
        var sequence = ++_sequence;
        // Skewed towards low ids: some contacts come back many times, most once or twice.
        var contact = (int)(contacts * Math.Pow(_random.NextDouble(), 1.6));
        var contactId = $"ext:customer_{contact:D7}";
        var roll = _random.NextDouble();
        if (roll < 0.004)
        {
            return (contactId, Encoding.UTF8.GetBytes("{\"contactId\": \"" + contactId + "\", \"attributes\": {"));
        }

        if (roll < 0.006)
        {
            return (null, Encoding.UTF8.GetBytes($"{{\"eventId\":\"evt_{sequence}\",\"channelId\":\"webchat:primary_embed\",\"occurredAt\":\"{IsoTimestamp.Format(now)}\",\"attributes\":{{}}}}"));
        }

        var occurredAt = roll < 0.016 ? now.AddMinutes(-2) : now;
        var churn = Math.Round(0.35 + (0.65 * _random.NextDouble()), 2);
        using var buffer = new MemoryStream(320);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("eventId", $"evt_{sequence:D8}");
            writer.WriteString("contactId", contactId);
            writer.WriteString("channelId", "webchat:primary_embed");
            writer.WriteString("occurredAt", IsoTimestamp.Format(occurredAt));
            writer.WriteString("correlationId", $"corr_web_invite_{sequence}");
            writer.WriteStartObject("attributes");
            if (_random.NextDouble() < 0.05)
            {
                // The guide's trap: a float sent as a string never satisfies a float filter.
                writer.WriteString("external.churn_probability", churn.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                writer.WriteNumber("external.churn_probability", churn);
            }

            if (_random.NextDouble() > 0.03)
            {
                writer.WriteNumber("session.dwell_time_seconds", _random.Next(10, 121));
            }

            writer.WriteBoolean("contact.is_authenticated", _random.NextDouble() < 0.8);
            writer.WriteString("browser.locale", _random.NextDouble() < 0.7 ? "en-US" : "de-DE");
            writer.WriteString("referrer.page", _random.NextDouble() < 0.5 ? "/pricing/enterprise" : "/docs/getting-started");
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return (contactId, buffer.ToArray());
    }

}
