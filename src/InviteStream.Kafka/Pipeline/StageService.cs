using Confluent.Kafka;
using InviteStream.Kafka.Publishing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// Runs one stage of the topology — its producer, its <see cref="PartitionedConsumerLoop"/> on a
/// thread of its own with its commit policy — until the worker stops. A loop that dies stops the
/// worker, which then exits non-zero.
/// </summary>
internal sealed partial class StageService(
    string name,
    ConsumerConfig groupConfig,
    IReadOnlyList<string> topics,
    ConsumerConfig? followerConfig,
    IPartitionStage stage,
    RecordPublisher publisher,
    ICommitPolicy commits,
    ConsumerProgress progress,
    PipelineHealth health,
    ILogger<StageService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stopping)
    {
        using var stopped = stopping.Register(health.Stopped);
        try
        {
            publisher.Start();
            new PartitionedConsumerLoop(groupConfig, topics, followerConfig, stage, commits, progress, logger).Run(stopping);
        }
        catch (Exception ex)
        {
            health.Failed($"the {name} stage's poll loop", ex);
            LogFailed(ex, name);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "The {Stage} stage's poll loop died; the worker stops")]
    private partial void LogFailed(Exception exception, string stage);
}
