using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace InviteStream.Simulator.Tests.Process;

/// <summary>
/// The simulator as its own process (what <c>dotnet run --project src/InviteStream.Simulator</c> starts):
/// it prints where it listens and its credentials, takes its rate limit as an option, and stops on SIGTERM.
/// </summary>
[TestFixture]
public sealed partial class StandaloneSimulatorTests
{
    [Test]
    public async Task It_takes_its_rate_limit_as_an_option_prints_its_credentials_and_stops_on_SIGTERM()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "InviteStream.Simulator.dll"),
            "--port", "0", "--campaigns", Path.Combine(AppContext.BaseDirectory, "no-campaigns-here"),
            "--client-id", "walkthrough", "--client-secret", "s3cret-walkthrough", "--requests-per-minute", "2",
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var simulator = System.Diagnostics.Process.Start(start)!;
        var lines = new List<string>();
        try
        {
            string? line;
            while (lines.Count < 4 && (line = await simulator.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60))) is not null)
            {
                lines.Add(line);
            }

            Assert.That(lines, Has.Count.EqualTo(4), "the address, the login address, the client id and the secret");
            var baseUrl = BaseUrl().Match(lines[0]).Groups[1].Value;
            Assert.That(baseUrl, Does.StartWith("http://127.0.0.1:"));
            var loginUrl = lines[1][(lines[1].LastIndexOf(": ", StringComparison.Ordinal) + 2)..];
            Assert.That(loginUrl, Does.StartWith("http://127.0.0.1:").And.Not.EqualTo(baseUrl));
            Assert.That(lines[2], Is.EqualTo("Client id: walkthrough"));
            Assert.That(lines[3], Is.EqualTo("Client secret: s3cret-walkthrough"));

            // A token from the login host, as Genesys issues them, used on the API host.
            using var login = new HttpClient { BaseAddress = new Uri(loginUrl) };
            using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
            using var tokenRequest = new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
            {
                Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]),
            };
            tokenRequest.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("walkthrough:s3cret-walkthrough"u8.ToArray()));
            using var tokenResponse = await login.SendAsync(tokenRequest);
            Assert.That(tokenResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var token = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString();

            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 3; i++)
            {
                using var trigger = new HttpRequestMessage(HttpMethod.Post, "/api/v2/analytics/predictiveengagement/campaigns/unknown/trigger")
                {
                    Content = new StringContent("{}", Encoding.UTF8, "application/json"),
                };
                trigger.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await http.SendAsync(trigger);
                statuses.Add(response.StatusCode);
            }

            Assert.That(statuses, Is.EqualTo(new[] { HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests }), "two requests per minute");

            using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", simulator.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            await simulator.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.That(simulator.ExitCode, Is.Zero);
            Assert.That(await simulator.StandardOutput.ReadToEndAsync(), Does.Contain("Engagement simulator stopped"));
        }
        finally
        {
            if (!simulator.HasExited)
            {
                simulator.Kill(entireProcessTree: true);
            }
        }
    }

    [GeneratedRegex(@"^Engagement simulator: (\S+)")]
    private static partial Regex BaseUrl();
}
