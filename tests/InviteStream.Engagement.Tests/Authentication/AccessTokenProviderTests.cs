using System.Net;
using System.Text;
using InviteStream.Engagement.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace InviteStream.Engagement.Tests.Authentication;

public sealed class AccessTokenProviderTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    // Renewed from a minute before expiry; used until 15 s before it.
    private static readonly TimeSpan RenewalStarts = Lifetime - TimeSpan.FromSeconds(60);
    private static readonly TimeSpan UseEnds = Lifetime - TimeSpan.FromSeconds(15);

    [Test]
    public async Task A_token_near_expiry_is_renewed_once_in_the_background_while_callers_go_on_with_it()
    {
        var login = new LoginEndpoint();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
        using var tokens = Provider(login, time);
        Assert.That(await tokens.GetTokenAsync(CancellationToken.None), Is.EqualTo("token-1"));

        login.Hold();
        time.Advance(RenewalStarts + TimeSpan.FromSeconds(1));
        var calls = Enumerable.Range(0, 20).Select(_ => tokens.GetTokenAsync(CancellationToken.None).AsTask()).ToList();

        Assert.That(calls.All(c => c.IsCompletedSuccessfully), "nobody waits for the login while the token is usable");
        Assert.That(await Task.WhenAll(calls), Is.All.EqualTo("token-1"));
        await login.WaitForRequestsAsync(2);
        Assert.That(await tokens.GetTokenAsync(CancellationToken.None), Is.EqualTo("token-1"));
        Assert.That(login.Requests, Is.EqualTo(2), "one renewal, however many callers");

        login.Release();
        await tokens.Renewal!;
        Assert.That(await tokens.GetTokenAsync(CancellationToken.None), Is.EqualTo("token-2"));
        Assert.That(login.Requests, Is.EqualTo(2));
    }

    [Test]
    public async Task Too_close_to_expiry_a_caller_waits_for_the_new_token()
    {
        var login = new LoginEndpoint();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
        using var tokens = Provider(login, time);
        await tokens.GetTokenAsync(CancellationToken.None);

        login.Hold();
        time.Advance(UseEnds + TimeSpan.FromSeconds(1));
        var waiting = tokens.GetTokenAsync(CancellationToken.None).AsTask();
        await login.WaitForRequestsAsync(2);

        Assert.That(waiting.IsCompleted, Is.False);
        login.Release();
        Assert.That(await waiting, Is.EqualTo("token-2"));
    }

    [Test]
    public async Task A_failed_renewal_keeps_the_current_token_and_is_tried_again_after_a_pause()
    {
        var login = new LoginEndpoint();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
        using var tokens = Provider(login, time);
        await tokens.GetTokenAsync(CancellationToken.None);

        login.FailNext = true;
        time.Advance(RenewalStarts + TimeSpan.FromSeconds(1));
        Assert.That(await tokens.GetTokenAsync(CancellationToken.None), Is.EqualTo("token-1"));
        await tokens.Renewal!;
        Assert.That(login.Requests, Is.EqualTo(2));

        time.Advance(AccessTokenProvider.RenewalRetryDelay - TimeSpan.FromSeconds(1));
        Assert.That(await tokens.GetTokenAsync(CancellationToken.None), Is.EqualTo("token-1"));
        Assert.That(login.Requests, Is.EqualTo(2), "not again within the pause");

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await tokens.GetTokenAsync(CancellationToken.None), Is.EqualTo("token-1"));
        await tokens.Renewal!;
        Assert.That(login.Requests, Is.EqualTo(3));
        Assert.That(await tokens.GetTokenAsync(CancellationToken.None), Is.EqualTo("token-3"));
    }

    private static AccessTokenProvider Provider(LoginEndpoint login, TimeProvider time) =>
        new(
            new HttpClient(login),
            Options.Create(new EngagementOptions { TokenUrl = new Uri("http://127.0.0.1:1/oauth/token"), ClientId = "tests", ClientSecret = "secret" }),
            time);

    /// <summary>A login host issuing token-1, token-2, ... each valid for an hour; it can hold its answers or refuse one.</summary>
    private sealed class LoginEndpoint : HttpMessageHandler
    {
        private readonly Lock _lock = new();
        private TaskCompletionSource _open = OpenGate();
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        public bool FailNext { get; set; }

        public void Hold()
        {
            lock (_lock)
            {
                _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        public void Release()
        {
            lock (_lock)
            {
                _open.TrySetResult();
            }
        }

        public async Task WaitForRequestsAsync(int count)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (Requests < count)
            {
                await Task.Delay(5, timeout.Token);
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var number = Interlocked.Increment(ref _requests);
            Task open;
            lock (_lock)
            {
                open = _open.Task;
            }

            await open.WaitAsync(cancellationToken);
            if (FailNext)
            {
                FailNext = false;
                return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
            }

            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent($$"""{"access_token":"token-{{number}}","token_type":"bearer","expires_in":{{(int)Lifetime.TotalSeconds}}}""", Encoding.UTF8, "application/json"),
            };
        }

        private static TaskCompletionSource OpenGate()
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            gate.SetResult();
            return gate;
        }
    }
}
