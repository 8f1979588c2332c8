using System.Text;
using Confluent.Kafka;
using InviteStream.Core.Invites;
using InviteStream.Kafka.Publishing;
using InviteStream.Kafka.Serialization;

namespace InviteStream.Kafka.State;

/// <summary>
/// The grant changelog of one dispatch partition (compacted). A budget's grants (a campaign id's, or
/// <see cref="ApiKey"/>'s) are kept in slices of <see cref="SliceTicks"/> of their time, one record per
/// slice (key <c>budget</c> NUL <c>slice</c>), so a record stays small whatever the cap: a write
/// rewrites the slices that changed and tombstones those that left the window. A grant is used only
/// once a record holding it is durable; grants made while the budget is being written go together in
/// the next write.
/// </summary>
internal sealed class GrantJournal(RecordPublisher publisher, TopicPartition partition) : IGrantLog
{
    /// <summary>The key of the API budget's grants (this instance's, recorded in one of its partitions).</summary>
    public const string ApiKey = "\u0000api";

    /// <summary>The time slice of one record: 100 ms, a few hundred grants at the most.</summary>
    public static readonly long SliceTicks = TimeSpan.FromMilliseconds(100).Ticks;

    private const char SliceSeparator = '\u0000';

    private readonly Lock _lock = new();
    private readonly Dictionary<string, KeyWrites> _keys = new(StringComparer.Ordinal);

    public Task RecordAsync(string campaignId, Action<List<Grant>> readGrants, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(readGrants);
        lock (_lock)
        {
            var writes = _keys.TryGetValue(campaignId, out var existing) ? existing : _keys[campaignId] = new KeyWrites();
            writes.Latest = readGrants;
            if (writes.InFlight is null)
            {
                writes.InFlight = WriteAsync(campaignId, writes, cancellationToken);
                return writes.InFlight;
            }

            writes.Next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return writes.Next.Task;
        }
    }

    private async Task WriteAsync(string key, KeyWrites writes, CancellationToken cancellationToken)
    {
        // Never finish synchronously: the caller stores the returned task as the key's write in flight
        // under the lock, and a write with no slice to change would otherwise have cleared it before
        // that, leaving a finished task "in flight" and every later grant of the budget waiting forever.
        await Task.Yield();
        Action<List<Grant>> readGrants;
        lock (_lock)
        {
            readGrants = writes.Latest!;
        }

        var grants = writes.Grants;
        grants.Clear();
        readGrants(grants);
        OldestFirst(grants);

        // Only this write touches the key's slices (writes of a key never overlap). One pass over
        // the window's grants, each slice a run of them: under a high cap the window holds thousands.
        var produced = new List<Task>();
        var present = writes.Present;
        present.Clear();
        for (var start = 0; start < grants.Count;)
        {
            var slice = grants[start].At.UtcTicks / SliceTicks;
            var end = start + 1;
            var hash = new HashCode();
            hash.Add(grants[start]);
            while (end < grants.Count && grants[end].At.UtcTicks / SliceTicks == slice)
            {
                hash.Add(grants[end++]);
            }

            present.Add(slice);
            var signature = hash.ToHashCode();
            if (!writes.Written.TryGetValue(slice, out var written) || written != signature)
            {
                writes.Written[slice] = signature;
                produced.Add(ProduceAsync(key, slice, GrantJson.Write(grants, start, end - start), cancellationToken));
            }

            start = end;
        }

        foreach (var gone in writes.Written.Keys.Where(slice => !present.Contains(slice)).ToList())
        {
            writes.Written.Remove(gone);
            produced.Add(ProduceAsync(key, gone, null, cancellationToken));
        }

        await Task.WhenAll(produced);
        lock (_lock)
        {
            writes.InFlight = null;
            if (writes.Next is not { } waiting)
            {
                return;
            }

            // Everything recorded while this write was under way goes in the next one.
            writes.Next = null;
            writes.InFlight = WriteAsync(key, writes, cancellationToken);
            writes.InFlight.ContinueWith(
                t =>
                {
                    if (t.Exception is { } failure)
                    {
                        waiting.TrySetException(failure.InnerExceptions);
                    }
                    else if (t.IsCanceled)
                    {
                        waiting.TrySetCanceled();
                    }
                    else
                    {
                        waiting.TrySetResult();
                    }
                },
                TaskScheduler.Default);
        }
    }

    /// <summary>The budget a record key belongs to (keys written before slices were the budget itself).</summary>
    public static string BudgetOf(string recordKey)
    {
        ArgumentNullException.ThrowIfNull(recordKey);
        var separator = recordKey.IndexOf(SliceSeparator, 1);
        return separator < 0 ? recordKey : recordKey[..separator];
    }

    private Task ProduceAsync(string key, long slice, byte[]? value, CancellationToken cancellationToken) =>
        publisher.ProduceAsync(
            partition,
            new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes($"{key}{SliceSeparator}{slice}"), Value = value },
            cancellationToken);

    // Both budgets hand their grants over oldest first; a slice must be one run of them whatever a caller does.
    private static void OldestFirst(List<Grant> grants)
    {
        for (var i = 1; i < grants.Count; i++)
        {
            if (grants[i].At < grants[i - 1].At)
            {
                List<Grant> ordered = [.. grants.OrderBy(g => g.At)];
                grants.Clear();
                grants.AddRange(ordered);
                return;
            }
        }
    }

    private sealed class KeyWrites
    {
        /// <summary>The signature of each slice as last written.</summary>
        public Dictionary<long, int> Written { get; } = [];

        /// <summary>The slices holding grants in the write under way.</summary>
        public HashSet<long> Present { get; } = [];

        public Action<List<Grant>>? Latest { get; set; }

        /// <summary>The grants of the write under way, as read for it (only that write uses the list).</summary>
        public List<Grant> Grants { get; } = [];

        public Task? InFlight { get; set; }

        public TaskCompletionSource? Next { get; set; }
    }
}
