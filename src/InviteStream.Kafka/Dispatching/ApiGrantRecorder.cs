using InviteStream.Core.Dispatch;
using InviteStream.Core.Invites;
using InviteStream.Kafka.State;
using Microsoft.Extensions.Hosting;

namespace InviteStream.Kafka.Dispatching;

/// <summary>
/// Records the API budget's recent grants, twice a second when they changed, in the grant changelog
/// of one of this instance's trigger partitions: whoever owns that partition next (this instance
/// after a restart, included) starts from them, not from a full budget the engine would refuse.
/// Written after the fact, unlike a campaign's grants: a crash loses at most the last half second.
/// </summary>
internal sealed class ApiGrantRecorder(DispatchPartitions partitions, IEnumerable<IApiGrants> apiGrants, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (apiGrants.FirstOrDefault() is not { } budget)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, time);
        DateTimeOffset? lastRecorded = null;
        while (await NextTickAsync(timer, stoppingToken))
        {
            var grants = budget.RecentGrants;
            var newest = grants.Count == 0 ? (DateTimeOffset?)null : grants[^1];
            if (newest == lastRecorded || partitions.ApiJournal is not { } journal)
            {
                continue;
            }

            IReadOnlyList<Grant> recorded = [.. grants.Select(g => new Grant(g, ""))];
            await journal.RecordAsync(GrantJournal.ApiKey, list => list.AddRange(recorded), stoppingToken);
            lastRecorded = newest;
        }
    }

    // Stopping (or a host disposed without being stopped) ends the recording, not the worker.
    private static async Task<bool> NextTickAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
