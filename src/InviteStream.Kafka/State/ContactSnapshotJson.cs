using System.Text.Json;
using InviteStream.Serialization;
using InviteStream.Core;
using InviteStream.Core.Events;
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
    // A restore reads a campaign id per invite of every contact; a few campaigns' ids kept once
    // instead of a million copies.
    private static readonly SharedStrings CampaignIds = new(maxEntries: 4096, maxBytes: 128);

    public static byte[] Write(ContactSnapshot snapshot) => JsonBytes.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("contactId", snapshot.ContactId);
        writer.WriteStartArray("invites");
        foreach (var invite in snapshot.Invites)
        {
            writer.WriteStartObject();
            writer.WriteString("campaignId", invite.CampaignId);
            InternalJson.WriteTime(writer, "at", invite.At);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (snapshot.Pending is { } pending)
        {
            writer.WriteStartObject("pending");
            writer.WriteString("requestId", pending.RequestId);
            writer.WriteString("campaignId", pending.CampaignId);
            InternalJson.WriteTime(writer, "decidedAt", pending.DecidedAt);
            if (pending.DecidedFrom is { } decidedFrom)
            {
                InternalJson.WriteOrigin(writer, "decidedFrom", decidedFrom);
            }

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

        return TryReadInvitesOnly(value, out var invites, out var engineContactId)
            ? new ContactSnapshot(contactId, invites, EngineContactId: engineContactId)
            : ReadDocument(contactId, value);
    }

    /// <summary>Restores the contact's record into <paramref name="store"/>: what <see cref="Read"/> reads, without a snapshot in between for the most common records.</summary>
    public static void Restore(ContactStateStore store, string contactId, byte[]? value)
    {
        if (value is { Length: > 0 } && TryReadInvitesOnly(value, out var invites, out var engineContactId))
        {
            store.RestoreInvites(contactId, invites, engineContactId);
        }
        else
        {
            // Read's other two cases, without trying the one-pass reader again.
            store.Restore(value is { Length: > 0 } ? ReadDocument(contactId, value) : new ContactSnapshot(contactId, []));
        }
    }

    // Most records hold only invites (and the engine's id): read in one pass, without a document,
    // because a restore reads a whole changelog of them before its partition decides anything.
    // False for anything else (a pending invite, remembered decisions, an engine suppression).
    private static bool TryReadInvitesOnly(byte[] value, out InviteRecord[] invites, out string? engineContactId)
    {
        invites = [];
        engineContactId = null;
        var sawInvites = false;
        var reader = new Utf8JsonReader(value);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("invites"u8))
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray || ReadInvites(ref reader) is not { } read)
                {
                    return false;
                }

                invites = read;
                sawInvites = true;
            }
            else if (reader.ValueTextEquals("contactId"u8) || reader.ValueTextEquals("engineContactId"u8))
            {
                var isEngineId = reader.ValueTextEquals("engineContactId"u8);
                if (!reader.Read() || reader.TokenType != JsonTokenType.String)
                {
                    return false;
                }

                engineContactId = isEngineId ? reader.GetString() : engineContactId;
            }
            else
            {
                return false;
            }
        }

        return sawInvites;
    }

    // From the array's start to its end; null when an invite is not as written. Sized as read: a
    // contact mostly has one invite, kept as this array.
    private static InviteRecord[]? ReadInvites(ref Utf8JsonReader reader)
    {
        var invites = Array.Empty<InviteRecord>();
        var count = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            string? campaignId = null;
            DateTimeOffset? at = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isCampaign = reader.ValueTextEquals("campaignId"u8);
                var isAt = reader.ValueTextEquals("at"u8);
                if (!reader.Read() || reader.TokenType != JsonTokenType.String || !(isCampaign || isAt))
                {
                    return null;
                }

                if (isCampaign)
                {
                    campaignId = CampaignIds.Of(ref reader);
                }
                else if (reader.TryGetDateTimeOffset(out var time))
                {
                    at = new DateTimeOffset(time.UtcTicks, TimeSpan.Zero);
                }
                else
                {
                    return null;
                }
            }

            if (campaignId is null || at is null)
            {
                return null;
            }

            if (count == invites.Length)
            {
                Array.Resize(ref invites, Math.Max(1, count * 2));
            }

            invites[count++] = new InviteRecord(campaignId, at.Value);
        }

        if (count < invites.Length)
        {
            Array.Resize(ref invites, count);
        }

        return reader.TokenType == JsonTokenType.EndArray ? invites : null;
    }

    private static ContactSnapshot ReadDocument(string contactId, byte[] value)
    {
        using var document = JsonDocument.Parse(value);
        var root = document.RootElement;
        var invites = root.GetProperty("invites").EnumerateArray()
            .Select(i => new InviteRecord(i.GetProperty("campaignId").GetString()!, InternalJson.ReadTime(i.GetProperty("at"))))
            .ToList();
        var pending = root.TryGetProperty("pending", out var p)
            ? new PendingInvite(
                p.GetProperty("requestId").GetString()!, p.GetProperty("campaignId").GetString()!, InternalJson.ReadTime(p.GetProperty("decidedAt")), DecidedFrom(p))
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
        InternalJson.WriteTime(writer, "decidedAt", decision.DecidedAt);
        writer.WriteNumber("decisionLatencyMs", Math.Round(decision.DecisionLatencyMs, 3));
        InternalJson.WriteOrigin(writer, "readFrom", decision.ReadFrom);
        if (decision.DecidedFrom is { } decidedFrom)
        {
            InternalJson.WriteOrigin(writer, "decidedFrom", decidedFrom);
        }

        writer.WriteEndObject();
    }

    private static RememberedDecision ReadDecision(JsonElement element) => new(
        element.GetProperty("requestId").GetString()!,
        OutcomeStatusNames.TryParse(element.GetProperty("status").GetString()!, out var status) ? status : OutcomeStatus.Failed,
        InternalJson.ReadString(element, "campaignId"),
        InternalJson.ReadString(element, "reason"),
        InternalJson.ReadTime(element, "suppressedUntil"),
        InternalJson.ReadTime(element.GetProperty("decidedAt")),
        element.GetProperty("decisionLatencyMs").GetDouble(),
        InternalJson.ReadOrigin(element.GetProperty("readFrom")),
        DecidedFrom(element));

    private static EventOrigin? DecidedFrom(JsonElement element) =>
        element.TryGetProperty("decidedFrom", out var origin) ? InternalJson.ReadOrigin(origin) : null;
}
