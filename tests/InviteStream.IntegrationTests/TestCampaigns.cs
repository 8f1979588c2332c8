namespace InviteStream.IntegrationTests;

/// <summary>The guide's campaign, with limits sized for tests.</summary>
internal static class TestCampaigns
{
    public const string GuideCampaignId = "guide-campaign";

    public static string Guide(int cooldownSeconds = 3600, int maxInvitesPerContact = 1, int maxInvitesPerMinute = 100_000, string id = GuideCampaignId) => $$"""
        {
          "id": "{{id}}",
          "name": "API-Driven Proactive Web Invite",
          "enabled": true,
          "campaignType": "proactive",
          "evaluationMode": "realtime",
          "filters": [
            { "attributeName": "external.churn_probability", "operator": "greater_than", "value": 0.72, "dataType": "float" },
            { "attributeName": "session.dwell_time_seconds", "operator": "greater_than", "value": 45, "dataType": "integer" },
            { "attributeName": "contact.is_authenticated", "operator": "equals", "value": true, "dataType": "boolean" }
          ],
          "actions": [
            {
              "type": "webchat_invite",
              "priority": 1,
              "config": { "inviteMessage": "Would you like to speak with a specialist?", "displayDuration": 300 },
              "routingConfig": { "queueId": "a1b2c3d4-e5f6-7890-abcd-ef1234567890", "skillGroups": ["web_support_tier1"], "overflowQueueId": "x9y8z7w6" }
            }
          ],
          "throttling": { "maxInvitesPerContact": {{maxInvitesPerContact}}, "cooldownSeconds": {{cooldownSeconds}}, "maxInvitesPerMinute": {{maxInvitesPerMinute}} }
        }
        """;
}
