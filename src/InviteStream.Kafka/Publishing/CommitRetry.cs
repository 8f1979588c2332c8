using Confluent.Kafka;

namespace InviteStream.Kafka.Publishing;

/// <summary>
/// Retries a transaction step that failed retriably (a coordinator moving, a broker restarting) with
/// a doubling pause, never past a time limit and never once the caller stops: then the failure
/// (or the cancellation) is thrown, and the caller aborts the transaction.
/// </summary>
internal static class CommitRetry
{
    public static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(50);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    public static void Run(Action operation, TimeProvider time, TimeSpan limit, Action<string, TimeSpan> retrying, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var backoff = FirstBackoff;
        while (true)
        {
            try
            {
                operation();
                return;
            }
            catch (KafkaRetriableException ex) when (time.GetElapsedTime(started) + backoff < limit)
            {
                retrying(ex.Error.Reason, backoff);
                Task.Delay(backoff, time, cancellationToken).GetAwaiter().GetResult();
                backoff = backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;
            }
        }
    }
}
