using InviteStream.Core.Campaigns;

namespace InviteStream.Simulator.Tests;

/// <summary>Campaign files for the tests, read and validated as the simulator receives them.</summary>
internal static class CampaignDefinitions
{
    /// <summary>The guide's filters: churn above 0.72, dwell above 45 s, authenticated.</summary>
    public const string GuideFilters = """
        [
          { "attributeName": "external.churn_probability", "operator": "greater_than", "value": 0.72, "dataType": "float" },
          { "attributeName": "session.dwell_time_seconds", "operator": "greater_than", "value": 45, "dataType": "integer" },
          { "attributeName": "contact.is_authenticated", "operator": "equals", "value": true, "dataType": "boolean" }
        ]
        """;

    public static Campaign Read(string id, int cooldownSeconds, int maxInvitesPerContact = 1, string filters = GuideFilters)
    {
        var (campaign, diagnostics) = CampaignReader.Read(Text(id, cooldownSeconds, maxInvitesPerContact, filters), $"{id}.json");
        Assert.That(campaign, Is.Not.Null, string.Join("; ", diagnostics));
        return campaign!;
    }

    public static string Text(string id, int cooldownSeconds, int maxInvitesPerContact, string filters) => $$"""
        {
          "id": "{{id}}",
          "name": "{{id}}",
          "enabled": true,
          "campaignType": "proactive",
          "evaluationMode": "realtime",
          "filters": {{filters}},
          "actions": [
            {
              "type": "webchat_invite",
              "priority": 1,
              "routingConfig": { "queueId": "q-1", "skillGroups": ["web_support_tier1"], "overflowQueueId": "q-2" }
            }
          ],
          "throttling": { "maxInvitesPerContact": {{maxInvitesPerContact}}, "cooldownSeconds": {{cooldownSeconds}}, "maxInvitesPerMinute": 500 }
        }
        """;
}
