using InviteStream.Core.Attributes;
using InviteStream.Core.Dispatch;
using InviteStream.Core.Events;
using InviteStream.Core.Invites;
using InviteStream.Kafka.Serialization;

namespace InviteStream.Kafka.Tests.Serialization;

/// <summary>
/// Dispatch builds the engine's request from the attributes on the trigger record, so they must
/// come back from it in their native types, however many an event has.
/// </summary>
[TestFixture]
public sealed class TriggerAttributesJsonTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);

    [TestCase(0)]
    [TestCase(5)]
    [TestCase(40)]
    public void Trigger_and_result_keep_every_attribute_in_its_type(int extra)
    {
        var attributes = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
        {
            ["external.churn_probability"] = AttributeValue.FromFloat(0.87),
            ["session.dwell_time_seconds"] = AttributeValue.FromInteger(52),
            ["contact.is_authenticated"] = AttributeValue.FromBoolean(true),
            ["browser.locale"] = AttributeValue.FromString("52"),
            ["segments"] = AttributeValue.FromStringList(["vip", "emea"]),
        };
        for (var i = 0; i < extra; i++)
        {
            attributes[$"extra.{i}"] = AttributeValue.FromInteger(i);
        }

        var behavioralEvent = new BehavioralEvent("e1", "ext:c", "webchat:primary_embed", At, attributes, "corr-1");
        var trigger = new InviteTrigger("guide", behavioralEvent, new EventOrigin("in", 0, 7), At.AddSeconds(10), false, At, null);

        var (fromTrigger, _) = TriggerJson.ReadTrigger(TriggerJson.WriteTrigger(trigger, 3));
        var (fromResult, _) = TriggerJson.ReadResult(TriggerJson.WriteResult(trigger, 3, new DispatchResult(DispatchStatus.Delivered, "delivered")));

        foreach (var read in new[] { fromTrigger, fromResult })
        {
            Assert.That(read.Event.Attributes, Has.Count.EqualTo(attributes.Count));
            foreach (var (name, value) in attributes)
            {
                Assert.That(read.Event.Attributes.TryGetValue(name, out var got), Is.True, name);
                Assert.That((got.Kind, got), Is.EqualTo((value.Kind, value)), name);
            }
        }
    }
}
