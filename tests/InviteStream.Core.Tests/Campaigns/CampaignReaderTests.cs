using InviteStream.Core.Campaigns;
using InviteStream.Core.Filters;

namespace InviteStream.Core.Tests.Campaigns;

[TestFixture]
public sealed class CampaignReaderTests
{
    [Test]
    public void The_guides_campaign_reads_with_typed_filters_routing_and_throttling()
    {
        var json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Campaigns", "Invalid", "missing-overflow-queue.json"))
            .Replace("\"skillGroups\"", "\"overflowQueueId\": \"x9y8z7w6\", \"skillGroups\"", StringComparison.Ordinal);

        var (campaign, diagnostics) = CampaignReader.Read(json, "guide.json");

        Assert.That(diagnostics, Is.Empty);
        Assert.That(campaign, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(campaign!.Filters.Select(f => (f.AttributeName, f.Operator, f.DataType)), Is.EqualTo(new[]
            {
                ("external.churn_probability", FilterOperator.GreaterThan, AttributeDataType.Float),
                ("session.dwell_time_seconds", FilterOperator.GreaterThan, AttributeDataType.Integer),
                ("contact.is_authenticated", FilterOperator.EqualTo, AttributeDataType.Boolean),
            }));
            Assert.That(campaign.Filters[0].Value.AsDouble, Is.EqualTo(0.72));
            Assert.That(campaign.Filters[1].Value.AsInteger, Is.EqualTo(45));
            Assert.That(campaign.Filters[2].Value.AsBoolean, Is.True);
            Assert.That(campaign.Priority, Is.EqualTo(1));
            Assert.That(campaign.Actions[0].RoutingConfig!.SkillGroups, Is.EqualTo(new[] { "web_support_tier1" }));
            Assert.That(campaign.Throttling, Is.EqualTo(new Throttling(1, 86400, 500)));
            Assert.That(campaign.EvaluationMode, Is.EqualTo("realtime"));
        });
    }
}
