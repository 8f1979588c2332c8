using System.Diagnostics;
using System.Globalization;

namespace InviteStream.IntegrationTests;

/// <summary>
/// Chromium run headless on a local file, once per call: the page as a browser builds it
/// (<c>--dump-dom</c>) and as it paints it (<c>--screenshot</c>). Fails, never skips, when Chromium is
/// missing: CI installs it, and a report test that quietly does nothing would hide a broken page.
/// </summary>
internal sealed class HeadlessChromium : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private readonly string _executable;
    private readonly string _profile = Path.Combine(Path.GetTempPath(), $"invitestream-chromium-{Guid.NewGuid():N}");

    public HeadlessChromium()
    {
        _executable = Find() ?? throw new AssertionException(
            "Chromium was not found (/usr/bin/chromium, or chromium on the PATH). The report tests open the page in a real browser: "
            + "install it with `apt-get install -y chromium` (.ci/run does so on CI).");
        Directory.CreateDirectory(_profile);
    }

    public async Task<string> DumpDomAsync(string htmlFile) =>
        (await RunAsync(["--dump-dom", Url(htmlFile)])).Output;

    public async Task<PngImage> ScreenshotAsync(string htmlFile, string pngFile, int width, int height)
    {
        var (_, errors) = await RunAsync(
            [$"--screenshot={pngFile}", string.Create(CultureInfo.InvariantCulture, $"--window-size={width},{height}"), "--hide-scrollbars", Url(htmlFile)]);
        return File.Exists(pngFile)
            ? PngImage.Read(pngFile)
            : throw new AssertionException($"Chromium wrote no screenshot to {pngFile}. Its stderr:\n{errors}");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // A crashed helper process can still hold the profile for a moment; the temp dir is cleaned anyway.
        }
    }

    private static string? Find() =>
        File.Exists("/usr/bin/chromium")
            ? "/usr/bin/chromium"
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .SelectMany(directory => new[] { "chromium", "chromium-browser" }.Select(name => Path.Combine(directory, name)))
                .FirstOrDefault(File.Exists);

    private static string Url(string file) => new Uri(Path.GetFullPath(file)).AbsoluteUri;

    private async Task<(string Output, string Errors)> RunAsync(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(_executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", $"--user-data-dir={_profile}", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new AssertionException($"{_executable} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new AssertionException($"Chromium did not finish within {Timeout.TotalSeconds:0} s ({string.Join(' ', start.ArgumentList)}). Its stderr:\n{await errors}");
        }

        if (process.ExitCode != 0)
        {
            throw new AssertionException($"Chromium exited with {process.ExitCode} ({string.Join(' ', start.ArgumentList)}). Its stderr:\n{await errors}");
        }

        return (await output, await errors);
    }
}
