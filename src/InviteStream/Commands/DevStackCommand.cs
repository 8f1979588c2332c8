using System.CommandLine;
using System.Runtime.InteropServices;
using InviteStream.Configuration;
using InviteStream.Embedded;
using InviteStream.Kafka;
using Microsoft.Extensions.Configuration;

namespace InviteStream.Commands;

/// <summary>
/// <c>dev-stack</c>: the embedded broker (every topic of the worker created with its partition
/// count) and the engagement simulator, with no worker, until Ctrl+C or SIGTERM. Workers started
/// with <c>run --Kafka:BootstrapServers=... --Engagement:BaseUrl=...</c> join it with no other flag.
/// </summary>
internal static class DevStackCommand
{
    public static Command Create()
    {
        var campaigns = CommonOptions.Campaigns();
        var command = new Command(
            "dev-stack",
            "Start the embedded Kafka broker and the engagement simulator for several workers on this machine, until Ctrl+C or SIGTERM. " +
            "Settings that name topics (--Kafka:GroupId, --Kafka:InputTopic, ...) must match the workers'.")
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
        var configuration = WorkerHost.CreateBuilder(settings).Configuration;
        var campaigns = CommonOptions.LoadCampaigns(campaignDirectory, configuration["Campaigns:Directory"], error);
        if (campaigns is null)
        {
            return ExitCodes.InvalidCampaigns;
        }

        var section = configuration.GetSection(KafkaOptions.SectionName);
        var invalid = SettingsConversion.Failures(section, typeof(KafkaOptions)).ToList();
        foreach (var failure in invalid)
        {
            error.WriteLine($"Invalid setting: {failure}");
        }

        if (invalid.Count > 0)
        {
            return ExitCodes.InvalidConfiguration;
        }

        var kafka = SettingsConversion.Read<KafkaOptions>(section);

        var stopped = new TaskCompletionSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var cancelled = cancellationToken.Register(() => stopped.TrySetResult());

        using var cluster = EmbeddedInfrastructure.StartKafka(kafka);
        await using var simulator = await EmbeddedInfrastructure.StartSimulatorAsync(configuration, campaigns, cancellationToken);
        var (clientId, clientSecret) = EmbeddedInfrastructure.DevelopmentCredentials;
        output.WriteLine($"Kafka bootstrap servers: {cluster.BootstrapServers}");
        output.WriteLine($"Engagement simulator: {simulator.BaseUrl.ToString().TrimEnd('/')}");
        output.WriteLine($"Engagement client id: {clientId}");
        output.WriteLine($"Engagement client secret: {clientSecret}");
        foreach (var topic in TopicPlan.For(kafka, EmbeddedInfrastructure.InputPartitions))
        {
            output.WriteLine($"Topic {topic.Name}: {topic.Partitions} partitions ({topic.Setting})");
        }

        output.WriteLine(
            $"Start workers with: dotnet run --project src/InviteStream -- run --Kafka:BootstrapServers={cluster.BootstrapServers} " +
            $"--Engagement:BaseUrl={simulator.BaseUrl.ToString().TrimEnd('/')}");
        output.WriteLine("Development only. Ctrl+C to stop.");
        await stopped.Task;
        output.WriteLine("dev-stack stopped");
        return ExitCodes.Success;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stopped.TrySetResult();
        }
    }
}
