using System.Collections.Frozen;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka;

/// <summary>
/// The librdkafka properties <see cref="KafkaOptions.Client"/> must not set: the delivery guarantees
/// rely on the worker's own values, or a <c>Kafka:*</c> setting of their own sets them. Passed through,
/// they would replace the worker's value in silence (<c>enable.idempotence=false</c> is accepted by
/// every client and quietly allows duplicates).
/// </summary>
internal sealed class ProtectedClientProperties : IValidateOptions<KafkaOptions>
{
    private const string Section = $"{KafkaOptions.SectionName}:Client";

    /// <summary>Why each property is refused, by name, aliases included; case is ignored, so <c>Enable.Idempotence</c> is refused too.</summary>
    public static readonly FrozenDictionary<string, string> Reasons = new Dictionary<string, string>
    {
        ["enable.idempotence"] = OwnValue("idempotent producer"),
        ["acks"] = OwnValue("acks=all: every in-sync replica has the record"),
        ["request.required.acks"] = OwnValue("acks=all: every in-sync replica has the record"),
        ["max.in.flight.requests.per.connection"] = OwnValue("ordered, idempotent produce"),
        ["max.in.flight"] = OwnValue("ordered, idempotent produce"),
        ["enable.auto.commit"] = OwnValue("offsets are committed only past finished events, or in the transaction"),
        ["enable.auto.offset.store"] = OwnValue("an offset is stored only once its event's outcome is acknowledged"),
        ["isolation.level"] = OwnValue("read_committed: records of aborted transactions are never read"),
        ["partitioner"] = OwnValue("re-keyed records go where Kafka's default key partitioner puts them"),
        ["enable.partition.eof"] = OwnValue("restoring state reads a changelog partition up to its end"),
        ["bootstrap.servers"] = OwnSetting(nameof(KafkaOptions.BootstrapServers)),
        ["group.id"] = OwnSetting(nameof(KafkaOptions.GroupId)),
        ["group.instance.id"] = OwnSetting(nameof(KafkaOptions.GroupInstanceId)),
        ["group.protocol"] = OwnSetting(nameof(KafkaOptions.GroupProtocol)),
        ["transactional.id"] = OwnSetting(nameof(KafkaOptions.TransactionalId)),
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    public ValidateOptionsResult Validate(string? name, KafkaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var refused = options.Client.Keys
            .Where(Reasons.ContainsKey)
            .Select(key => $"{Section}:{key} cannot be set: {Reasons[key]}.")
            .ToList();
        return refused.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(refused);
    }

    private static string OwnValue(string what) => $"the worker relies on its own value ({what})";

    private static string OwnSetting(string setting) => $"use {KafkaOptions.SectionName}:{setting} instead";
}
