using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// What the poll loop tells about itself on every turn: that it turns (liveness), the lag of each
/// partition it reads (every second, from the client's cached watermarks, so no broker round trip
/// on the poll thread), whether brokers answer (probed while librdkafka says all are down), and
/// the errors its clients report.
/// </summary>
/// <param name="loop">Which loop (stage) this is, as health and lag name it.</param>
internal sealed partial class ConsumerProgress(string loop, PipelineHealth health, PipelineStatistics statistics, TimeProvider time, ILogger<ConsumerProgress> logger)
{
    private static readonly TimeSpan LagInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan BrokerProbeInterval = TimeSpan.FromSeconds(5);
    private long _lastLagAt;
    private long _lastProbeAt;

    public void Turned(IReadOnlyCollection<OwnedPartition> owned)
    {
        health.Polled(loop);
        if (time.GetElapsedTime(_lastLagAt) >= LagInterval)
        {
            _lastLagAt = time.GetTimestamp();
            statistics.ConsumerLag(loop, Lag(owned));
        }

        // librdkafka says when every broker is down but not when one is back: ask one, now and then.
        if (!health.BrokersReachable && owned.Count > 0 && time.GetElapsedTime(_lastProbeAt) >= BrokerProbeInterval)
        {
            _lastProbeAt = time.GetTimestamp();
            var first = owned.First();
            try
            {
                first.Consumer.QueryWatermarkOffsets(first.Partition, TimeSpan.FromSeconds(2));
                health.BrokersUp();
            }
            catch (KafkaException)
            {
                // Still down.
            }
        }
    }

    public void BrokersAnswered() => health.BrokersUp();

    public void Erred(Error error)
    {
        if (error.Code == ErrorCode.Local_AllBrokersDown)
        {
            health.BrokersDown();
        }

        LogKafkaError(error.Code, error.Reason, error.IsFatal);
    }

    private static Dictionary<TopicPartition, long> Lag(IReadOnlyCollection<OwnedPartition> owned)
    {
        var lag = new Dictionary<TopicPartition, long>(owned.Count);
        foreach (var partition in owned)
        {
            try
            {
                var end = partition.Consumer.GetWatermarkOffsets(partition.Partition).High;
                var position = partition.Consumer.Position(partition.Partition);
                if (!end.IsSpecial && !position.IsSpecial)
                {
                    lag[partition.Partition] = Math.Max(0, end.Value - position.Value);
                }
            }
            catch (KafkaException)
            {
                // Not fetched yet or leaving: no figure this time.
            }
        }

        return lag;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka error {Code}: {Reason} (fatal: {IsFatal})")]
    private partial void LogKafkaError(ErrorCode code, string reason, bool isFatal);
}
