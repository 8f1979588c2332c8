using System.CommandLine;
using InviteStream.Kafka.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace InviteStream.Commands;

/// <summary><c>run</c>: the worker, until SIGINT/SIGTERM.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var campaigns = CommonOptions.Campaigns();
        var command = new Command("run", "Run the worker until Ctrl+C or SIGTERM (the default verb). Settings: --Section:Key=value.")
        {
            campaigns,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((result, cancellationToken) =>
            RunAsync(result.GetValue(campaigns), result.UnmatchedTokens, Console.Out, Console.Error, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(
        DirectoryInfo? campaignDirectory, IReadOnlyList<string> settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var (worker, exitCode) = await StartedWorker.StartAsync(campaignDirectory, settings, null, output, error, cancellationToken);
        if (worker is null)
        {
            return exitCode;
        }

        await using (worker)
        {
            output.WriteLine($"InviteStream worker running with {worker.Campaigns.Campaigns.Count} campaign(s); Ctrl+C to stop.");
            await worker.Host.WaitForShutdownAsync(CancellationToken.None);

            // A part of the pipeline died and stopped the worker: that is no clean exit.
            var failures = worker.Host.Services.GetRequiredService<PipelineHealth>().Failures;
            foreach (var failure in failures)
            {
                error.WriteLine($"InviteStream stopped: {failure}");
            }

            return failures.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
        }
    }
}
