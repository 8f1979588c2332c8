using InviteStream.Core.State;
using InviteStream.Kafka.State;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// Drops contacts from the state stores once no cooldown can apply to them any more, and writes a
/// tombstone for each to the changelog so compaction forgets them too.
/// </summary>
internal sealed class ContactStateEviction(
    PartitionStates states, ContactStateChangelog changelog, IOptions<PipelineOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.StateEvictionInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var tombstones = new List<Task>();
            foreach (var (partition, store) in states.Owned)
            {
                store.EvictExpired(
                    time.GetUtcNow(),
                    contactId => tombstones.Add(changelog.WriteAsync(partition.Partition.Value, new ContactSnapshot(contactId, []), stoppingToken)));
            }

            await Task.WhenAll(tombstones);
        }
    }
}
