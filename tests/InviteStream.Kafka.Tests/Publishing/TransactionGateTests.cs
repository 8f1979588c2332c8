using InviteStream.Kafka.Publishing;

namespace InviteStream.Kafka.Tests.Publishing;

[TestFixture]
public sealed class TransactionGateTests
{
    [Test]
    public async Task Close_waits_for_every_producer_inside_and_new_producers_wait_for_Open()
    {
        var gate = new TransactionGate();
        await gate.EnterAsync(CancellationToken.None);
        await gate.EnterAsync(CancellationToken.None);

        var closed = Task.Factory.StartNew(gate.Close, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await Task.Delay(50);
        Assert.That(closed.IsCompleted, Is.False, "two producers are still inside");

        gate.Exit();
        await Task.Delay(50);
        Assert.That(closed.IsCompleted, Is.False, "one producer is still inside");

        gate.Exit();
        await closed.WaitAsync(TimeSpan.FromSeconds(5));

        var late = gate.EnterAsync(CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.That(late.IsCompleted, Is.False, "no producer enters while the transaction commits");

        gate.Open();
        await late.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(gate.Inside, Is.EqualTo(1));
    }

    [Test]
    public async Task Close_returns_at_once_when_nobody_is_inside()
    {
        var gate = new TransactionGate();
        await gate.EnterAsync(CancellationToken.None);
        gate.Exit();

        await Task.Run(gate.Close).WaitAsync(TimeSpan.FromSeconds(5));
        gate.Open();
        await gate.EnterAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
    }
}
