using InviteStream.Kafka.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.State;

/// <summary>
/// Every <see cref="PipelineOptions.StateEvictionInterval"/>, drops contacts no cooldown can apply to
/// any more from the owned partitions' state, and tombstones them in the changelog so compaction forgets them too.
/// </summary>
internal sealed class ContactStateEviction(DecisionPartitions partitions, IOptions<PipelineOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.StateEvictionInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            partitions.EvictExpired();
        }
    }
}
