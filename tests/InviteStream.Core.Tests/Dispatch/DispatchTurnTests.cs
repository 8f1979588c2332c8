using InviteStream.Core.Dispatch;

namespace InviteStream.Core.Tests.Dispatch;

[TestFixture]
public sealed class DispatchTurnTests
{
    [Test]
    public async Task A_turn_comes_only_after_every_earlier_turn_is_released()
    {
        var first = new DispatchTurn(null);
        var second = new DispatchTurn(first);
        var third = new DispatchTurn(second);

        var waiting = third.WaitAsync(CancellationToken.None);
        Assert.That(first.WaitAsync(CancellationToken.None).IsCompleted, Is.True, "the first turn never waits");

        first.Release();
        await Task.Delay(20);
        Assert.That(waiting.IsCompleted, Is.False, "the second turn is still held");

        second.Release();
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Test]
    public void Releasing_twice_is_harmless()
    {
        var turn = new DispatchTurn(null);
        turn.Release();
        Assert.DoesNotThrow(turn.Release);
        Assert.That(turn.IsReleased, Is.True);
    }
}
