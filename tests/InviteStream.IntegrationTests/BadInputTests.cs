using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace InviteStream.IntegrationTests;

/// <summary>Malformed records go to the dead-letter topic with their reason and never stop the partition.</summary>
[TestFixtureSource(typeof(TestKafkas), nameof(TestKafkas.All))]
public sealed class BadInputTests(string broker)
{
    private ITestKafka _kafka = null!;

    [OneTimeSetUp]
    public async Task ConnectAsync() => _kafka = await TestKafkas.GetAsync(broker);

    private static readonly string Now = TimeProvider.System.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static string Valid(string attributes = """{"external.churn_probability":0.9}""", string? extra = null) =>
        $$"""{"eventId":"e","contactId":"ext:x","channelId":"webchat:primary_embed","occurredAt":"{{Now}}","attributes":{{attributes}}{{extra}}}""";

    private static readonly (string Reason, byte[]? Value, string? CampaignHeader)[] Corpus =
    [
        ("invalid_json", Bytes("{not json"), null),
        ("invalid_json", [], null),
        ("empty_value", null, null),
        ("invalid_json", Bytes("[]"), null),
        ("invalid_json", Bytes("42"), null),
        ("invalid_json", Bytes("\"text\""), null),
        ("invalid_json", Bytes("null"), null),
        ("invalid_json", [0xC3, 0x28, 0x7B], null),
        ("invalid_json", Bytes(Valid()[..40]), null),
        ("invalid_json", Bytes(Valid() + " trailing"), null),
        ("missing_contact_id", Bytes("{}"), null),
        ("missing_contact_id", Bytes(Valid().Replace("\"contactId\":\"ext:x\"", "\"contactId\":\"\"", StringComparison.Ordinal)), null),
        ("missing_contact_id", Bytes(Valid().Replace("\"contactId\":\"ext:x\"", "\"contactId\":7", StringComparison.Ordinal)), null),
        ("missing_contact_id", Bytes(Valid().Replace("\"contactId\":\"ext:x\",", "", StringComparison.Ordinal)), null),
        ("missing_field:eventId", Bytes(Valid().Replace("\"eventId\":\"e\",", "", StringComparison.Ordinal)), null),
        ("missing_field:eventId", Bytes(Valid().Replace("\"eventId\":\"e\"", "\"eventId\":\"\"", StringComparison.Ordinal)), null),
        ("missing_field:channelId", Bytes(Valid().Replace("\"channelId\":\"webchat:primary_embed\",", "", StringComparison.Ordinal)), null),
        ("invalid_occurred_at", Bytes(Valid().Replace($"\"occurredAt\":\"{Now}\",", "", StringComparison.Ordinal)), null),
        ("invalid_occurred_at", Bytes(Valid().Replace(Now, "yesterday", StringComparison.Ordinal)), null),
        ("invalid_occurred_at", Bytes(Valid().Replace($"\"{Now}\"", "1716301931", StringComparison.Ordinal)), null),
        ("missing_field:attributes", Bytes(Valid().Replace(",\"attributes\":{\"external.churn_probability\":0.9}", "", StringComparison.Ordinal)), null),
        ("missing_field:attributes", Bytes(Valid("[]")), null),
        ("missing_field:attributes", Bytes(Valid("\"none\"")), null),
        ("unsupported_attribute_type:x", Bytes(Valid("""{"x":{"nested":1}}""")), null),
        ("unsupported_attribute_type:x", Bytes(Valid("""{"x":null}""")), null),
        ("unsupported_attribute_type:x", Bytes(Valid("""{"x":["a",1]}""")), null),
        ("unsupported_attribute_type:x", Bytes(Valid("""{"x":[["a"]]}""")), null),
        ("invalid_field:correlationId", Bytes(Valid(extra: ",\"correlationId\":5")), null),
        ("record_too_large", Bytes(Valid($$"""{"padding":"{{new string('p', 70_000)}}"}""")), null),
        ("unknown_campaign:nope", Bytes(Valid()), "nope"),
        ("unknown_campaign:nope2", Bytes(Valid()), $"{TestCampaigns.GuideCampaignId},nope2"),
    ];

    [Test]
    public async Task Every_malformed_record_reaches_the_dead_letter_topic_with_its_reason_and_every_valid_one_is_decided()
    {
        Assert.That(Corpus, Has.Length.GreaterThanOrEqualTo(30));
        await using var harness = await PipelineHarness.StartAsync(_kafka, 1, TimeSpan.Zero, TestCampaigns.Guide());
        var expected = new Dictionary<long, string>();
        var messages = new List<Message<string?, byte[]?>>();
        var valid = 0;
        foreach (var (reason, value, header) in Corpus)
        {
            // Valid traffic between the bad records: the partition must keep flowing.
            messages.Add(new Message<string?, byte[]?> { Key = $"ext:ok{valid}", Value = Bytes(TestEvents.Event($"ok{valid}", $"ext:ok{valid}", TimeProvider.System.GetUtcNow(), churn: valid % 2 == 0 ? 0.9 : 0.1)) });
            valid++;
            expected[messages.Count] = reason;
            var message = new Message<string?, byte[]?> { Key = "ext:bad", Value = value };
            if (header is not null)
            {
                message.Headers = new Headers { { "x-campaign-id", Bytes(header) } };
            }

            messages.Add(message);
        }

        await harness.ProduceRawAsync(messages);
        using var worker = harness.BuildWorker(new Dictionary<string, string?> { ["Pipeline:EmitNotEligible"] = "true" });
        await worker.StartAsync();
        await PipelineHarness.WaitUntilAsync(
            () => PipelineHarness.StatisticsOf(worker).Finished >= messages.Count, TimeSpan.FromSeconds(60), "every record is handled");
        await worker.StopAsync();

        var deadLetters = harness.ReadAll(harness.DeadLetterTopic).ToDictionary(
            d => long.Parse(Header(d, "x-source-offset"), CultureInfo.InvariantCulture), d => Header(d, "x-error-reason"));
        Assert.That(deadLetters, Is.EquivalentTo(expected));
        Assert.That(harness.ReadOutcomes().Select(o => o.GetProperty("eventId").GetString()), Is.EquivalentTo(Enumerable.Range(0, valid).Select(i => $"ok{i}")));
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Header(ConsumeResult<string?, byte[]> record, string name) => Encoding.UTF8.GetString(record.Message.Headers.GetLastBytes(name));
}
