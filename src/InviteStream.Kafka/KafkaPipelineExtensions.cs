using Confluent.Kafka;
using InviteStream.Core.Campaigns;
using InviteStream.Core.Decisions;
using InviteStream.Kafka.Pipeline;
using InviteStream.Kafka.Publishing;
using InviteStream.Kafka.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InviteStream.Kafka;

public static class KafkaPipelineExtensions
{
    /// <summary>
    /// Registers the Kafka pipeline: options, the consumer worker, the outcome publisher, and the
    /// core's decider and contact state. Needs a <see cref="CampaignSet"/> and an
    /// <see cref="Core.Dispatch.IInviteDispatcher"/> registered by the host.
    /// </summary>
    public static IHostApplicationBuilder AddInvitePipeline(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<KafkaOptions>()
            .Bind(builder.Configuration.GetSection(KafkaOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => !string.IsNullOrWhiteSpace(o.BootstrapServers), "Kafka:BootstrapServers is required (leave it empty only in embedded mode, where the host fills it in).")
            .ValidateOnStart();
        services.AddOptions<PipelineOptions>()
            .Bind(builder.Configuration.GetSection(PipelineOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<PipelineStatistics>();
        services.AddSingleton<PartitionStates>();
        services.AddSingleton<ContactStateChangelog>();
        services.AddSingleton(sp =>
        {
            var pipeline = sp.GetRequiredService<IOptions<PipelineOptions>>().Value;
            return new InviteDecider(
                sp.GetRequiredService<CampaignSet>().Campaigns,
                new DecisionRules(pipeline.MaxEventAge, pipeline.ConsolidatedSuppression));
        });
        services.AddSingleton<RecordPublisher>();
        services.AddSingleton<FilterResultTelemetry>();
        services.AddSingleton<EventProcessor>();
        services.AddSingleton<PartitionWorkerFactory>();
        services.AddSingleton<TopicLayout>();
        services.AddHostedService<TopicLayoutCheck>();
        services.AddHostedService<InviteWorker>();
        services.AddHostedService<ContactStateEviction>();
        return builder;
    }
}
