using System.Globalization;
using System.Text.Json;
using InviteStream.Core.State;

namespace InviteStream.Kafka.State;

/// <summary>The changelog record of one contact: <c>{"contactId", "invites": [{"campaignId", "at"}]}</c>.</summary>
internal static class ContactSnapshotJson
{
    public static byte[] Write(ContactSnapshot snapshot)
    {
        using var buffer = new MemoryStream(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("contactId", snapshot.ContactId);
            writer.WriteStartArray("invites");
            foreach (var invite in snapshot.Invites)
            {
                writer.WriteStartObject();
                writer.WriteString("campaignId", invite.CampaignId);
                writer.WriteString("at", invite.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static ContactSnapshot Read(string contactId, byte[]? value)
    {
        // A tombstone (null value) means the contact has no state any more.
        if (value is null || value.Length == 0)
        {
            return new ContactSnapshot(contactId, []);
        }

        using var document = JsonDocument.Parse(value);
        var invites = document.RootElement.GetProperty("invites").EnumerateArray()
            .Select(i => new InviteRecord(
                i.GetProperty("campaignId").GetString()!,
                DateTimeOffset.Parse(i.GetProperty("at").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)))
            .ToList();
        return new ContactSnapshot(contactId, invites);
    }
}
