using Confluent.Kafka;
using InviteStream.Kafka.Publishing;
using Microsoft.Extensions.Time.Testing;

namespace InviteStream.Kafka.Tests.Publishing;

[TestFixture]
public sealed class CommitRetryTests
{
    private static readonly KafkaRetriableException Retriable = new(new Error(ErrorCode.RequestTimedOut));

    [Test]
    public async Task Retriable_failures_are_retried_after_a_doubling_pause()
    {
        var time = new FakeTimeProvider();
        var attempts = 0;
        var pauses = new List<TimeSpan>();
        var run = Task.Run(() => CommitRetry.Run(
            () =>
            {
                if (++attempts < 4)
                {
                    throw Retriable;
                }
            },
            time,
            TimeSpan.FromSeconds(30),
            (_, pause) => pauses.Add(pause),
            CancellationToken.None));

        while (!run.IsCompleted)
        {
            await Task.Delay(5);
            time.Advance(TimeSpan.FromMilliseconds(50));
        }

        await run;
        Assert.That(attempts, Is.EqualTo(4));
        Assert.That(pauses, Is.EqualTo(new[] { TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200) }));
    }

    [Test]
    public async Task A_failure_that_lasts_past_the_limit_is_thrown()
    {
        var time = new FakeTimeProvider();
        var attempts = 0;
        var run = Task.Run(() => CommitRetry.Run(() => { attempts++; throw Retriable; }, time, TimeSpan.FromSeconds(1), (_, _) => { }, CancellationToken.None));

        while (!run.IsCompleted)
        {
            await Task.Delay(5);
            time.Advance(TimeSpan.FromMilliseconds(50));
        }

        Assert.ThrowsAsync<KafkaRetriableException>(() => run);
        Assert.That(attempts, Is.EqualTo(5), "pauses of 50, 100, 200 and 400 ms fit in the second; the next one would not");
    }

    [Test]
    public void Stopping_ends_the_pause_at_once()
    {
        var time = new FakeTimeProvider();
        using var stopping = new CancellationTokenSource();
        var run = Task.Run(() => CommitRetry.Run(() => throw Retriable, time, TimeSpan.FromSeconds(30), (_, _) => stopping.Cancel(), stopping.Token));

        Assert.That(async () => await run.WaitAsync(TimeSpan.FromSeconds(5)), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void A_failure_that_is_not_retriable_is_thrown_at_once()
    {
        var attempts = 0;
        Assert.Throws<KafkaException>(() => CommitRetry.Run(
            () => { attempts++; throw new KafkaException(new Error(ErrorCode.InvalidTxnState)); },
            new FakeTimeProvider(),
            TimeSpan.FromSeconds(30),
            (_, _) => { },
            CancellationToken.None));
        Assert.That(attempts, Is.EqualTo(1));
    }
}
