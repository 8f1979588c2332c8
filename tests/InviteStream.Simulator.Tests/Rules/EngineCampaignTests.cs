using System.Text.Json;
using InviteStream.Simulator.Rules;

namespace InviteStream.Simulator.Tests.Rules;

/// <summary>How the engine reads a campaign definition and matches a trigger's sessionData against it.</summary>
[TestFixture]
public sealed class EngineCampaignTests
{
    private const string GuideSessionData = """
        {
          "external.churn_probability": 0.87,
          "session.dwell_time_seconds": 52,
          "contact.is_authenticated": true,
          "browser.locale": "en-US",
          "referrer.page": "/pricing/enterprise"
        }
        """;

    [Test]
    public void Reads_filters_and_throttling_from_the_definition_as_written()
    {
        var campaign = Read(CampaignDefinitions.Text("guide", cooldownSeconds: 86400, maxInvitesPerContact: 2, CampaignDefinitions.GuideFilters));

        Assert.That(campaign.Id, Is.EqualTo("guide"));
        Assert.That(campaign.Throttle, Is.EqualTo(new ContactThrottle(2, TimeSpan.FromHours(24))));
        Assert.That(
            campaign.Filters.Select(f => (f.AttributeName, f.Operator, f.DataType)),
            Is.EqualTo(new[]
            {
                ("external.churn_probability", RuleOperator.GreaterThan, RuleDataType.Float),
                ("session.dwell_time_seconds", RuleOperator.GreaterThan, RuleDataType.Integer),
                ("contact.is_authenticated", RuleOperator.EqualTo, RuleDataType.Boolean),
            }));
    }

    [Test]
    public void The_guides_trigger_matches_the_guides_campaign() =>
        Assert.That(GuideCampaign().Matches(Json(GuideSessionData)), Is.True);

    [TestCase("external.churn_probability", "0.72")]
    [TestCase("external.churn_probability", "\"0.87\"")]
    [TestCase("session.dwell_time_seconds", "52.0")]
    [TestCase("contact.is_authenticated", "false")]
    public void One_failing_filter_makes_the_campaign_not_match(string attribute, string value)
    {
        var sessionData = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(GuideSessionData)!;
        sessionData[attribute] = Json(value);

        Assert.That(GuideCampaign().Matches(JsonSerializer.SerializeToElement(sessionData)), Is.False);
    }

    [Test]
    public void A_missing_attribute_makes_the_campaign_not_match() =>
        Assert.That(GuideCampaign().Matches(Json("""{"external.churn_probability": 0.87, "contact.is_authenticated": true}""")), Is.False);

    [Test]
    public void A_definition_with_an_unknown_operator_is_refused()
    {
        var filters = """[{ "attributeName": "a", "operator": "around", "value": 1, "dataType": "integer" }]""";

        Assert.That(EngineCampaign.TryRead(Json(CampaignDefinitions.Text("odd", 60, 1, filters)), out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo("unknown operator 'around'"));
    }

    [Test]
    public void A_definition_without_throttling_is_refused()
    {
        Assert.That(EngineCampaign.TryRead(Json("""{"id": "open", "filters": []}"""), out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo("a campaign needs throttling.maxInvitesPerContact and throttling.cooldownSeconds of at least 1"));
    }

    private static EngineCampaign GuideCampaign() =>
        Read(CampaignDefinitions.Text("guide", cooldownSeconds: 86400, maxInvitesPerContact: 1, CampaignDefinitions.GuideFilters));

    private static EngineCampaign Read(string definition)
    {
        Assert.That(EngineCampaign.TryRead(Json(definition), out var campaign, out var error), Is.True, error);
        return campaign;
    }

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
