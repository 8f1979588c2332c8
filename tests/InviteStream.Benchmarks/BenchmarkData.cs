using InviteStream.Core.Attributes;
using InviteStream.Core.Campaigns;
using InviteStream.Core.Events;

namespace InviteStream.Benchmarks;

internal static class BenchmarkData
{
    public const string GuideCampaign = """
        {
          "id": "guide", "name": "API-Driven Proactive Web Invite", "enabled": true, "evaluationMode": "realtime",
          "filters": [
            { "attributeName": "external.churn_probability", "operator": "greater_than", "value": 0.72, "dataType": "float" },
            { "attributeName": "session.dwell_time_seconds", "operator": "greater_than", "value": 45, "dataType": "integer" },
            { "attributeName": "contact.is_authenticated", "operator": "equals", "value": true, "dataType": "boolean" }
          ],
          "actions": [ { "type": "webchat_invite", "priority": 1,
            "routingConfig": { "queueId": "q", "skillGroups": ["s"], "overflowQueueId": "o" } } ],
          "throttling": { "maxInvitesPerContact": 1, "cooldownSeconds": 86400, "maxInvitesPerMinute": 500 }
        }
        """;

    public static Campaign Guide() => Read(GuideCampaign);

    /// <summary>Campaign <paramref name="index"/> of a 20 × 5 set: five filters each, none matching the benchmark event.</summary>
    public static Campaign Wide(int index) => Read($$"""
        {
          "id": "wide-{{index:D2}}", "name": "wide", "enabled": true, "evaluationMode": "realtime",
          "filters": [
            { "attributeName": "session.dwell_time_seconds", "operator": "greater_than", "value": {{index}}, "dataType": "integer" },
            { "attributeName": "contact.is_authenticated", "operator": "equals", "value": true, "dataType": "boolean" },
            { "attributeName": "browser.locale", "operator": "in", "value": ["en-US", "en-GB"], "dataType": "string_list" },
            { "attributeName": "referrer.page", "operator": "starts_with", "value": "/pricing", "dataType": "string" },
            { "attributeName": "external.churn_probability", "operator": "greater_than", "value": 0.99, "dataType": "float" }
          ],
          "actions": [ { "type": "webchat_invite", "priority": {{1 + (index % 3)}},
            "routingConfig": { "queueId": "q", "skillGroups": ["s"], "overflowQueueId": "o" } } ],
          "throttling": { "maxInvitesPerContact": 1, "cooldownSeconds": 3600, "maxInvitesPerMinute": 500 }
        }
        """);

    public static BehavioralEvent Event(double churn) => new(
        "evt-1",
        "ext:customer_8842910",
        "webchat:primary_embed",
        new DateTimeOffset(2026, 5, 21, 14, 32, 11, TimeSpan.Zero),
        new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
        {
            ["external.churn_probability"] = AttributeValue.FromFloat(churn),
            ["session.dwell_time_seconds"] = AttributeValue.FromInteger(52),
            ["contact.is_authenticated"] = AttributeValue.FromBoolean(true),
            ["browser.locale"] = AttributeValue.FromString("en-US"),
            ["referrer.page"] = AttributeValue.FromString("/pricing/enterprise"),
        },
        "corr_web_invite_4421");

    private static Campaign Read(string json)
    {
        var (campaign, diagnostics) = CampaignReader.Read(json, "benchmark");
        return campaign ?? throw new InvalidOperationException(string.Join("; ", diagnostics));
    }
}
