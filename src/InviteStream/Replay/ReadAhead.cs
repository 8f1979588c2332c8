using System.Collections.Concurrent;

namespace InviteStream.Replay;

/// <summary>
/// Enumerates a sequence on a thread of its own, a batch ahead of the consumer: reading and parsing
/// the input runs beside the decisions instead of before each one (two cores, twice the work done).
/// </summary>
internal static class ReadAhead
{
    public static IEnumerable<T> Of<T>(IEnumerable<T> source, int batchSize = 1024, int batchesAhead = 8)
    {
        using var batches = new BlockingCollection<List<T>>(batchesAhead);
        Exception? failure = null;
        using var stop = new CancellationTokenSource();
        var reader = new Thread(() =>
        {
            try
            {
                var batch = new List<T>(batchSize);
                foreach (var item in source)
                {
                    batch.Add(item);
                    if (batch.Count == batchSize)
                    {
                        batches.Add(batch, stop.Token);
                        batch = new List<T>(batchSize);
                    }
                }

                batches.Add(batch, stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The consumer stopped early.
            }
            catch (Exception ex)
            {
                failure = ex;
            }
            finally
            {
                batches.CompleteAdding();
            }
        })
        { IsBackground = true, Name = "replay-reader" };
        reader.Start();
        try
        {
            foreach (var batch in batches.GetConsumingEnumerable())
            {
                foreach (var item in batch)
                {
                    yield return item;
                }
            }
        }
        finally
        {
            stop.Cancel();
            reader.Join();
        }

        if (failure is not null)
        {
            throw new InvalidOperationException("Reading the replay's input failed.", failure);
        }
    }
}
