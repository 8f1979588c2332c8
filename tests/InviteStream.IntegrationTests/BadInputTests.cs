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
        ("invalid_utf8", [0xC3, 0x28, 0x7B], null),
        ("invalid_utf8", [.. Bytes(Valid()[..30]), 0xFF, 0xFE, .. Bytes(Valid()[30..])], null),
        ("invalid_utf8", Bytes(Valid("""{"referrer.page":"/pricing"}""")).Select(b => b == (byte)'/' ? (byte)0xC0 : b).ToArray(), null),
        ("invalid_unicode_escape", Bytes(Valid("""{"referrer.page":"\ud800"}""")), null),
        ("invalid_json", Bytes(new string('[', 100) + new string(']', 100)), null),
        ("occurred_in_future", Bytes(Valid().Replace(Now, "2999-01-01T00:00:00Z", StringComparison.Ordinal)), null),
        ("record_too_large", Bytes(Valid($$"""{"padding":"{{new string('p', 1_019_950)}}"}""")), null),
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
        Assert.That(Corpus, Has.Length.GreaterThanOrEqualTo(37));
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
            // Every bad record carries headers of its own, which its dead letter must keep.
            var message = new Message<string?, byte[]?>
            {
                Key = "ext:bad",
                Value = value,
                Headers = new Headers { { "traceparent", Bytes(TraceParent) }, { "x-tenant", Bytes($"tenant-{messages.Count}") } },
            };
            if (header is not null)
            {
                message.Headers.Add("x-campaign-id", Bytes(header));
            }

            messages.Add(message);
        }

        await harness.ProduceRawAsync(messages);
        using var worker = harness.BuildWorker(new Dictionary<string, string?> { ["Pipeline:EmitNotEligible"] = "true" });
        await worker.StartAsync();
        await PipelineHarness.WaitUntilAsync(
            () => PipelineHarness.StatisticsOf(worker).Finished >= messages.Count, TimeSpan.FromSeconds(60), "every record is handled");
        await worker.StopAsync();

        var deadLetterRecords = harness.ReadAll(harness.DeadLetterTopic);
        var deadLetters = deadLetterRecords.ToDictionary(
            d => long.Parse(Header(d, "x-source-offset")!, CultureInfo.InvariantCulture), d => Header(d, "x-error-reason"));
        Assert.That(deadLetters, Is.EquivalentTo(expected));
        Assert.That(harness.ReadOutcomes().Select(o => o.GetProperty("eventId").GetString()), Is.EquivalentTo(Enumerable.Range(0, valid).Select(i => $"ok{i}")));
        Assert.Multiple(() =>
        {
            foreach (var deadLetter in deadLetterRecords)
            {
                var offset = Header(deadLetter, "x-source-offset");
                Assert.That(Header(deadLetter, "traceparent"), Is.EqualTo(TraceParent), $"offset {offset} keeps the producer's trace context");
                Assert.That(Header(deadLetter, "x-tenant"), Is.EqualTo($"tenant-{offset}"), $"offset {offset} keeps the producer's headers");
            }

            var tooLarge = deadLetterRecords.Single(d => Header(d, "x-original-size") is not null);
            Assert.That(Header(tooLarge, "x-error-reason"), Is.EqualTo("record_too_large"));
            Assert.That(long.Parse(Header(tooLarge, "x-original-size")!, CultureInfo.InvariantCulture), Is.GreaterThan(1_020_000), "the original size, key and headers included");
            Assert.That(tooLarge.Message.Value, Has.Length.EqualTo(16 * 1024), "a truncated copy of the value");
            Assert.That(PipelineHarness.Text(tooLarge.Message.Value!), Does.StartWith("{\"eventId\":\"e\""));
            Assert.That(
                deadLetterRecords.Single(d => Header(d, "x-campaign-id") == "nope").Message.Value,
                Is.EqualTo(Corpus.Single(c => c.CampaignHeader == "nope").Value),
                "the campaign restriction travels with the dead letter, so a replay from the dead-letter topic keeps it");
        });
    }

    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string? Header(ConsumeResult<string?, byte[]> record, string name) =>
        record.Message.Headers.TryGetLastBytes(name, out var value) ? Encoding.UTF8.GetString(value) : null;
}
