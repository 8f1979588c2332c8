using InviteStream.Kafka.State;
using Microsoft.Extensions.Hosting;

namespace InviteStream.Kafka.Pipeline;

/// <summary>Drops contacts from the state store once no cooldown can apply to them any more.</summary>
internal sealed class ContactStateEviction(PartitionStates states, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var store in states.Stores)
            {
                store.EvictExpired(time.GetUtcNow());
            }
        }
    }
}
