using System.Text.Json;
using InviteStream.Core.Campaigns;

namespace InviteStream.Core.Tests.Campaigns;

/// <summary>What <c>campaigns sync</c> calls a change: only the fields a campaign file writes.</summary>
[TestFixture]
public sealed class CampaignDiffTests
{
    private const string File = """
        {
          "id": "guide", "name": "Guide", "enabled": true, "evaluationMode": "realtime",
          "filters": [ { "attributeName": "external.churn_probability", "operator": "greater_than", "value": 0.72, "dataType": "float" } ],
          "actions": [ { "type": "webchat_invite", "priority": 1, "routingConfig": { "queueId": "q", "skillGroups": ["s"], "overflowQueueId": "o" } } ],
          "throttling": { "maxInvitesPerContact": 1, "cooldownSeconds": 86400, "maxInvitesPerMinute": 500 }
        }
        """;

    [Test]
    public void Fields_the_server_adds_do_not_make_a_campaign_look_changed()
    {
        var remote = Remote(File, extra: """ "selfUri": "/api/v2/x/guide", "version": 7, "dateModified": "2026-01-01T00:00:00Z" """);

        Assert.That(CampaignDiff.Compare(Local(File), remote).Single().Kind, Is.EqualTo(CampaignChangeKind.Unchanged));
    }

    [Test]
    public void A_changed_or_missing_owned_field_is_an_update()
    {
        var changed = Remote(File.Replace("86400", "600", StringComparison.Ordinal), extra: """ "version": 7 """);
        var missing = Remote(File.Replace("\"enabled\": true,", "", StringComparison.Ordinal), extra: """ "version": 7 """);

        Assert.That(CampaignDiff.Compare(Local(File), changed).Single().Kind, Is.EqualTo(CampaignChangeKind.Update));
        Assert.That(CampaignDiff.Compare(Local(File), missing).Single().Kind, Is.EqualTo(CampaignChangeKind.Update));
    }

    private static CampaignSet Local(string json)
    {
        var (campaign, diagnostics) = CampaignReader.Read(json, "guide.json");
        Assert.That(campaign, Is.Not.Null, string.Join("; ", diagnostics));
        return new CampaignSet([campaign!]);
    }

    private static Dictionary<string, JsonElement> Remote(string json, string extra)
    {
        var withExtra = json.TrimEnd()[..^1] + "," + extra + "}";
        return new Dictionary<string, JsonElement> { ["guide"] = JsonDocument.Parse(withExtra).RootElement.Clone() };
    }
}
