using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace InviteStream.Benchmarks;

/// <summary>The shapes of input the pipeline benchmark feeds: what share of events match, repeat a contact, or neither.</summary>
internal enum WorkloadKind
{
    /// <summary>No event matches the campaign: nothing is produced.</summary>
    NoMatch,

    /// <summary>85 % match no campaign, 10 % are suppressed by a cooldown, 5 % invite: the shape of real traffic.</summary>
    Mix,

    /// <summary>Every event invites a new contact.</summary>
    Trigger,

    /// <summary>Every event is of one contact and matches: the first invites it, the others are suppressed by its cooldown.</summary>
    HotContact,
}

/// <summary>
/// Event <c>i</c> of a workload, the same bytes whoever reads it (the worker, Streamiz, a raw loop).
/// In the mix, every 20th event invites a new contact and two more of each group of 20 repeat a
/// contact invited <see cref="RepeatDistance"/> groups earlier (suppressed by its cooldown).
/// </summary>
internal static class Workload
{
    public const int RepeatDistance = 50;

    private const int Group = 20;

    private static readonly string OccurredAt = TimeProvider.System.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    /// <summary>Whether event <paramref name="i"/> has an outcome (by default only matching events do).</summary>
    public static bool HasOutcome(WorkloadKind kind, int i) => kind switch
    {
        WorkloadKind.Trigger or WorkloadKind.HotContact => true,
        WorkloadKind.Mix => (i % Group) switch
        {
            0 => true,
            7 or 14 => RepeatedContact(i) >= 0,
            _ => false,
        },
        _ => false,
    };

    /// <summary>Whether event <paramref name="i"/> is a contact's first match, so invited (the other outcomes are suppressed).</summary>
    public static bool Invites(WorkloadKind kind, int i) => kind switch
    {
        WorkloadKind.Trigger => true,
        WorkloadKind.Mix => i % Group == 0,
        WorkloadKind.HotContact => i == 0,
        _ => false,
    };

    public static Message<string?, byte[]> Message(WorkloadKind kind, string prefix, int i)
    {
        var (contact, matches) = kind switch
        {
            WorkloadKind.NoMatch => (i, false),
            WorkloadKind.Trigger => (i, true),
            WorkloadKind.HotContact => (0, true),
            _ when i % Group == 0 => (i, true),
            _ when HasOutcome(kind, i) => (RepeatedContact(i), true),
            _ => (i, false),
        };
        var contactId = string.Create(CultureInfo.InvariantCulture, $"ext:{prefix}{contact:D8}");
        var churn = matches ? "0.9" : "0.1";
        var json = $"{{\"eventId\":\"{prefix}-{i}\",\"contactId\":\"{contactId}\",\"channelId\":\"webchat:primary_embed\",\"occurredAt\":\"{OccurredAt}\",\"correlationId\":\"c{i}\",\"attributes\":{{\"external.churn_probability\":{churn},\"session.dwell_time_seconds\":52,\"contact.is_authenticated\":true,\"browser.locale\":\"en-US\",\"referrer.page\":\"/pricing/enterprise\"}}}}";
        return new Message<string?, byte[]> { Key = contactId, Value = Encoding.UTF8.GetBytes(json) };
    }

    /// <summary>The event number in an outcome's <c>eventId</c> (<c>prefix-i</c>), or -1.</summary>
    public static int EventNumberOf(ReadOnlySpan<byte> outcomeJson)
    {
        var field = "\"eventId\":\""u8;
        var at = outcomeJson.IndexOf(field);
        if (at < 0)
        {
            return -1;
        }

        var value = outcomeJson[(at + field.Length)..];
        var end = value.IndexOf((byte)'"');
        var dash = value[..end].LastIndexOf((byte)'-');
        return int.TryParse(value[(dash + 1)..end], NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1;
    }

    /// <summary>An outcome's status and its <c>decisionLatencyMs</c> (from the event read to its decision).</summary>
    public static (string Status, double DecisionLatencyMs) StatusAndDecisionLatencyOf(byte[] outcomeJson)
    {
        using var document = System.Text.Json.JsonDocument.Parse(outcomeJson);
        var root = document.RootElement;
        return (root.GetProperty("status").GetString()!, root.GetProperty("decisionLatencyMs").GetDouble());
    }

    /// <summary>Produces events <paramref name="from"/> to <paramref name="to"/> (excluded) and waits for them all.</summary>
    public static void Produce(string bootstrapServers, string topic, WorkloadKind kind, string prefix, int from, int to)
    {
        using var producer = new ProducerBuilder<string?, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            LingerMs = 20,
            EnableIdempotence = true,
            // Kafka's default partitioner, as the worker expects by default: every contact in its home partition.
            Partitioner = Partitioner.Murmur2Random,
        }).Build();
        for (var i = from; i < to; i++)
        {
            var message = Message(kind, prefix, i);
            while (true)
            {
                try
                {
                    producer.Produce(topic, message);
                    break;
                }
                catch (ProduceException<string?, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(50));
                }
            }
        }

        if (producer.Flush(TimeSpan.FromSeconds(120)) > 0)
        {
            throw new TimeoutException($"producing {topic}: records still unsent after 2 minutes");
        }
    }

    private static int RepeatedContact(int i) => i - (i % Group) - (RepeatDistance * Group);
}
