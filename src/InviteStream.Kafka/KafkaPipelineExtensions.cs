using Confluent.Kafka;
using Confluent.SchemaRegistry;
using InviteStream.Core.Campaigns;
using InviteStream.Core.Decisions;
using InviteStream.Kafka.Pipeline;
using InviteStream.Kafka.Publishing;
using InviteStream.Kafka.Serialization;
using InviteStream.Kafka.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using InviteStream.Configuration;

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
            .ValidateSettings(KafkaOptions.SectionName)
            .Validate(o => !string.IsNullOrWhiteSpace(o.BootstrapServers), "Kafka:BootstrapServers is required (leave it empty only in embedded mode, where the host fills it in).")
            .ValidateOnStart();
        services.AddOptions<PipelineOptions>()
            .Bind(builder.Configuration.GetSection(PipelineOptions.SectionName))
            .ValidateSettings(PipelineOptions.SectionName)
            .ValidateOnStart();

        services.AddOptions<SerializationOptions>()
            .Bind(builder.Configuration.GetSection(SerializationOptions.SectionName))
            .ValidateSettings(SerializationOptions.SectionName)
            .Validate(
                o => o.Format != RecordFormat.Avro || !string.IsNullOrWhiteSpace(o.SchemaRegistryUrl) || o.SchemaRegistry.ContainsKey("schema.registry.url"),
                "Serialization:SchemaRegistryUrl is required when Serialization:Format is Avro.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        // Registered only if the host has none: tests bring an in-memory registry.
        services.TryAddSingleton<ISchemaRegistryClient>(sp =>
        {
            var serialization = sp.GetRequiredService<IOptions<SerializationOptions>>().Value;
            var config = new SchemaRegistryConfig();
            foreach (var (key, value) in serialization.SchemaRegistry)
            {
                config.Set(key, value);
            }

            if (!string.IsNullOrWhiteSpace(serialization.SchemaRegistryUrl))
            {
                config.Url = serialization.SchemaRegistryUrl;
            }

            return new CachedSchemaRegistryClient(config);
        });
        services.AddSingleton<IRecordFormat>(sp =>
        {
            var serialization = sp.GetRequiredService<IOptions<SerializationOptions>>().Value;
            return serialization.Format == RecordFormat.Avro
                ? new AvroRecordFormat(sp.GetRequiredService<ISchemaRegistryClient>(), serialization.AutoRegisterSchemas)
                : new JsonRecordFormat();
        });
        services.AddMetrics();
        services.AddSingleton<PipelineStatistics>();
        services.AddSingleton<PipelineHealth>();
        services.AddSingleton<PartitionStates>();
        services.AddSingleton<ContactStateChangelog>();
        services.AddSingleton(sp =>
        {
            var pipeline = sp.GetRequiredService<IOptions<PipelineOptions>>().Value;
            return new InviteDecider(
                sp.GetRequiredService<CampaignSet>().Campaigns,
                new DecisionRules(pipeline.MaxEventAge, pipeline.ConsolidatedSuppression));
        });
        services.AddSingleton<EventRecordReader>();
        services.AddSingleton<RecordPublisher>();
        services.AddSingleton<FilterResultTelemetry>();
        services.AddSingleton<EventProcessor>();
        services.AddSingleton<PartitionWorkerFactory>();
        services.AddSingleton<TopicLayout>();
        services.AddHostedService<TopicLayoutCheck>();
        services.AddHostedService<Repartitioner>();
        services.AddHostedService<InviteWorker>();
        services.AddHostedService<ContactStateEviction>();
        return builder;
    }
}
