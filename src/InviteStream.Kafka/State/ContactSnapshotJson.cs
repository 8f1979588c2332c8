using System.Text.Json;
using InviteStream.Core;
using InviteStream.Core.Outcomes;
using InviteStream.Core.State;
using InviteStream.Kafka.Serialization;

namespace InviteStream.Kafka.State;

/// <summary>
/// The changelog record of one contact: <c>{"contactId", "invites": [{"campaignId", "at"}],
/// "pending"?, "suppressedByEngineUntil"?, "decisions"?, "engineContactId"?}</c>. Records written before the optional
/// fields existed read as contacts without them.
/// </summary>
internal static class ContactSnapshotJson
{
    public static byte[] Write(ContactSnapshot snapshot) => InternalJson.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("contactId", snapshot.ContactId);
        writer.WriteStartArray("invites");
        foreach (var invite in snapshot.Invites)
        {
            writer.WriteStartObject();
            writer.WriteString("campaignId", invite.CampaignId);
            writer.WriteString("at", IsoTimestamp.Format(invite.At));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (snapshot.Pending is { } pending)
        {
            writer.WriteStartObject("pending");
            writer.WriteString("requestId", pending.RequestId);
            writer.WriteString("campaignId", pending.CampaignId);
            writer.WriteString("decidedAt", IsoTimestamp.Format(pending.DecidedAt));
            writer.WriteEndObject();
        }

        InternalJson.WriteTime(writer, "suppressedByEngineUntil", snapshot.SuppressedByEngineUntil);
        if (snapshot.Decisions.Count > 0)
        {
            writer.WriteStartArray("decisions");
            foreach (var decision in snapshot.Decisions)
            {
                WriteDecision(writer, decision);
            }

            writer.WriteEndArray();
        }

        if (snapshot.EngineContactId is { } engineContactId)
        {
            writer.WriteString("engineContactId", engineContactId);
        }

        writer.WriteEndObject();
    });

    public static ContactSnapshot Read(string contactId, byte[]? value)
    {
        // A tombstone (null value) means the contact has no state any more.
        if (value is null || value.Length == 0)
        {
            return new ContactSnapshot(contactId, []);
        }

        using var document = JsonDocument.Parse(value);
        var root = document.RootElement;
        var invites = root.GetProperty("invites").EnumerateArray()
            .Select(i => new InviteRecord(i.GetProperty("campaignId").GetString()!, IsoTimestamp.Parse(i.GetProperty("at").GetString()!)))
            .ToList();
        var pending = root.TryGetProperty("pending", out var p)
            ? new PendingInvite(p.GetProperty("requestId").GetString()!, p.GetProperty("campaignId").GetString()!, IsoTimestamp.Parse(p.GetProperty("decidedAt").GetString()!))
            : null;
        var decisions = root.TryGetProperty("decisions", out var d) ? d.EnumerateArray().Select(ReadDecision).ToList() : [];
        return new ContactSnapshot(contactId, invites, pending, InternalJson.ReadTime(root, "suppressedByEngineUntil"), decisions, InternalJson.ReadString(root, "engineContactId"));
    }

    private static void WriteDecision(Utf8JsonWriter writer, RememberedDecision decision)
    {
        writer.WriteStartObject();
        writer.WriteString("requestId", decision.RequestId);
        writer.WriteString("status", OutcomeStatusNames.ToWire(decision.Status));
        writer.WriteString("campaignId", decision.CampaignId);
        writer.WriteString("reason", decision.Reason);
        InternalJson.WriteTime(writer, "suppressedUntil", decision.SuppressedUntil);
        writer.WriteString("decidedAt", IsoTimestamp.Format(decision.DecidedAt));
        writer.WriteNumber("decisionLatencyMs", Math.Round(decision.DecisionLatencyMs, 3));
        InternalJson.WriteOrigin(writer, "readFrom", decision.ReadFrom);
        writer.WriteEndObject();
    }

    private static RememberedDecision ReadDecision(JsonElement element) => new(
        element.GetProperty("requestId").GetString()!,
        OutcomeStatusNames.TryParse(element.GetProperty("status").GetString()!, out var status) ? status : OutcomeStatus.Failed,
        InternalJson.ReadString(element, "campaignId"),
        InternalJson.ReadString(element, "reason"),
        InternalJson.ReadTime(element, "suppressedUntil"),
        IsoTimestamp.Parse(element.GetProperty("decidedAt").GetString()!),
        element.GetProperty("decisionLatencyMs").GetDouble(),
        InternalJson.ReadOrigin(element.GetProperty("readFrom")));
}
