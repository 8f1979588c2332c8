using System.Text.Json;
using InviteStream.Serialization;
using InviteStream.Core;
using InviteStream.Core.Attributes;
using InviteStream.Core.Dispatch;
using InviteStream.Core.Events;
using InviteStream.Core.Invites;

namespace InviteStream.Kafka.Serialization;

/// <summary>
/// The records between the contact stage and the dispatch stage: a trigger (an invite to dispatch,
/// with the contact stage partition its result goes back to) and a result (the trigger again, with
/// what dispatch answered).
/// </summary>
internal static class TriggerJson
{
    public static byte[] WriteTrigger(InviteTrigger trigger, int resultPartition) =>
        JsonBytes.Write(writer => WriteTriggerObject(writer, trigger, resultPartition));

    public static (InviteTrigger Trigger, int ResultPartition) ReadTrigger(byte[] value)
    {
        using var document = JsonDocument.Parse(value);
        return ReadTriggerObject(document.RootElement);
    }

    public static byte[] WriteResult(InviteTrigger trigger, int resultPartition, DispatchResult result) => JsonBytes.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WritePropertyName("trigger");
        WriteTriggerObject(writer, trigger, resultPartition);
        writer.WriteString("status", result.Status.ToString());
        writer.WriteString("reason", result.Reason);
        InternalJson.WriteTime(writer, "suppressedUntil", result.SuppressedUntil);
        if (result.EngineContactId is { } engineContactId)
        {
            writer.WriteString("engineContactId", engineContactId);
        }

        writer.WriteEndObject();
    });

    public static (InviteTrigger Trigger, DispatchResult Result) ReadResult(byte[] value)
    {
        using var document = JsonDocument.Parse(value);
        var root = document.RootElement;
        var (trigger, _) = ReadTriggerObject(root.GetProperty("trigger"));
        var result = new DispatchResult(
            Enum.Parse<DispatchStatus>(root.GetProperty("status").GetString()!),
            InternalJson.ReadString(root, "reason"),
            InternalJson.ReadTime(root, "suppressedUntil"),
            EngineContactId: InternalJson.ReadString(root, "engineContactId"));
        return (trigger, result);
    }

    private static void WriteTriggerObject(Utf8JsonWriter writer, InviteTrigger trigger, int resultPartition)
    {
        var behavioralEvent = trigger.Event;
        writer.WriteStartObject();
        writer.WriteString("campaignId", trigger.CampaignId);
        writer.WriteNumber("resultPartition", resultPartition);
        InternalJson.WriteTime(writer, "deadline", trigger.Deadline);
        writer.WriteBoolean("hasLocalHistory", trigger.HasLocalHistory);
        InternalJson.WriteTime(writer, "receivedAt", trigger.ReceivedAt);
        if (trigger.EngineContactId is { } engineContactId)
        {
            writer.WriteString("engineContactId", engineContactId);
        }

        InternalJson.WriteOrigin(writer, "origin", trigger.Origin);
        writer.WriteStartObject("event");
        writer.WriteString("eventId", behavioralEvent.EventId);
        writer.WriteString("contactId", behavioralEvent.ContactId);
        writer.WriteString("channelId", behavioralEvent.ChannelId);
        InternalJson.WriteTime(writer, "occurredAt", behavioralEvent.OccurredAt);
        writer.WriteString("correlationId", behavioralEvent.CorrelationId);
        writer.WriteStartObject("attributes");
        foreach (var (name, value) in behavioralEvent.Attributes)
        {
            writer.WritePropertyName(name);
            AttributeJson.Write(writer, value);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static (InviteTrigger, int) ReadTriggerObject(JsonElement root)
    {
        var e = root.GetProperty("event");
        // As the event reader keeps them: one array for a few, a dictionary for many. Sized up
        // front: a trigger is read twice per invite (dispatch, settlement), and growing the list
        // was most of the attribute arrays an invite allocated.
        var attributesJson = e.GetProperty("attributes");
        var read = new List<KeyValuePair<string, AttributeValue>>(attributesJson.GetPropertyCount());
        foreach (var property in attributesJson.EnumerateObject())
        {
            if (AttributeJson.TryRead(property.Value, out var value, out _))
            {
                read.Add(new(property.Name, value));
            }
        }

        var attributes = AttributeDictionary.Of(read);

        var behavioralEvent = new BehavioralEvent(
            e.GetProperty("eventId").GetString()!,
            e.GetProperty("contactId").GetString()!,
            e.GetProperty("channelId").GetString()!,
            InternalJson.ReadTime(e.GetProperty("occurredAt")),
            attributes,
            InternalJson.ReadString(e, "correlationId"));
        var trigger = new InviteTrigger(
            root.GetProperty("campaignId").GetString()!,
            behavioralEvent,
            InternalJson.ReadOrigin(root.GetProperty("origin")),
            InternalJson.ReadTime(root.GetProperty("deadline")),
            root.GetProperty("hasLocalHistory").GetBoolean(),
            InternalJson.ReadTime(root.GetProperty("receivedAt")),
            InternalJson.ReadString(root, "engineContactId"));
        return (trigger, root.GetProperty("resultPartition").GetInt32());
    }
}
