using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using InviteStream.Kafka.Pipeline;
using InviteStream.Kafka.Publishing;
using InviteStream.Kafka.Serialization;
using InviteStream.Kafka.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.Stats;

/// <summary>
/// The stats stage's partitions: a <see cref="StatsPartition"/> for each partial-counts partition its
/// group assigns, its totals restored from the stats topic partition of the same number.
/// </summary>
internal sealed partial class StatsPartitions(
    ChangelogReader changelogs,
    [FromKeyedServices(PublisherKeys.Stats)] RecordPublisher publisher,
    IRecordFormat format,
    PipelineHealth health,
    PipelineStatistics statistics,
    IOptions<KafkaOptions> kafka,
    IOptions<PipelineOptions> pipeline,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILoggerFactory loggers) : IPartitionStage
{
    private readonly ILogger _logger = loggers.CreateLogger<StatsPartitions>();
    private readonly ConcurrentDictionary<TopicPartition, StatsPartition> _open = new();

    public IReadOnlyList<PartitionRoute> Open(IReadOnlyCollection<TopicPartition> assigned)
    {
        var routes = new List<PartitionRoute>();
        var totals = assigned.Count == 0 ? null : ReadTotals([.. assigned.Select(p => p.Partition.Value)]);
        foreach (var partition in assigned)
        {
            var opened = new StatsPartition(
                partition, async token => Restored(partition.Partition, await totals!.Of(partition.Partition.Value, token)), PublishAsync, pipeline.Value, statistics, time, loggers.CreateLogger<StatsPartition>());
            _open[partition] = opened;
            routes.Add(new PartitionRoute(partition, opened, ByAssignment: false));
            opened.Failure.ContinueWith(failed => Died(partition, failed.Exception!.GetBaseException()), TaskContinuationOptions.OnlyOnFaulted);
            opened.Start();
        }

        return routes;
    }

    public async Task CloseAsync(IReadOnlyCollection<TopicPartition> leaving, bool graceful)
    {
        var closing = leaving.Where(_open.ContainsKey).Select(p => _open[p]).ToList();
        await Task.WhenAll(closing.Select(p => graceful ? p.StopAsync(pipeline.Value.DrainTimeout) : p.AbortAsync()));
        foreach (var partition in closing)
        {
            _open.TryRemove(partition.Partition, out _);
            partition.Dispose();
        }
    }

    public void Committed(IReadOnlyList<TopicPartitionOffset> offsets)
    {
        // A total holds what it needs; nothing is remembered past a commit.
    }

    private async Task PublishAsync(StatsRecord record, int partition, long partialsThrough)
    {
        var topic = kafka.Value.StatsTopic;
        var message = new Message<byte[]?, byte[]?>
        {
            Key = Encoding.UTF8.GetBytes(record.Window.ToString()),
            Value = await format.WriteStatsAsync(topic, record),
            Headers = [new Header(StatsPartition.PartialsThroughHeader, Encoding.ASCII.GetBytes(partialsThrough.ToString(CultureInfo.InvariantCulture)))],
        };
        await publisher.ProduceAsync(new TopicPartition(topic, partition), message, CancellationToken.None);
    }

    // The totals published so far in the stats topic partitions of the partitions an assignment brings
    // (each partition drops those it no longer keeps).
    private ChangelogPartitions<Dictionary<string, StatsPartition.Total>> ReadTotals(IReadOnlyCollection<int> partitions)
    {
        var topic = kafka.Value.StatsTopic;
        return ChangelogPartitions<Dictionary<string, StatsPartition.Total>>.Read(
            changelogs,
            topic,
            partitions,
            withHeaders: true,
            () => new(StringComparer.Ordinal),
            (totals, key, value, headers) =>
            {
                var text = Encoding.UTF8.GetString(key);
                if (value is null)
                {
                    totals.Remove(text);
                }
                else if (format.ReadStatsAsync(topic, value).AsTask().GetAwaiter().GetResult() is { } stats)
                {
                    totals[text] = new StatsPartition.Total(stats.Window, stats.Counts, stats.Revision, StatsPartition.PartialsThroughOf(headers));
                }
            });
    }

    private Dictionary<string, StatsPartition.Total> Restored(Partition partition, RestoredPartition<Dictionary<string, StatsPartition.Total>> restored)
    {
        LogRestored(kafka.Value.StatsTopic, partition.Value, restored.Records, restored.State.Count);
        return restored.State;
    }

    private void Died(TopicPartition partition, Exception exception)
    {
        health.Failed($"partition {partition.Topic}[{partition.Partition.Value}]", exception);
        lifetime.StopApplication();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Restored statistics of {Topic}[{Partition}]: {Records} records, {Windows} windows")]
    private partial void LogRestored(string topic, int partition, int records, int windows);
}
