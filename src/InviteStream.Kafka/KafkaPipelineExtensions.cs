using Confluent.Kafka;
using Confluent.SchemaRegistry;
using InviteStream.Core.Campaigns;
using InviteStream.Core.Decisions;
using InviteStream.Core.Dispatch;
using InviteStream.Core.Invites;
using InviteStream.Kafka.Clients;
using InviteStream.Kafka.Dispatching;
using InviteStream.Kafka.Pipeline;
using InviteStream.Kafka.Publishing;
using InviteStream.Kafka.Serialization;
using InviteStream.Kafka.State;
using InviteStream.Kafka.Stats;
using InviteStream.Core.Stats;
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
    /// Registers the Kafka pipeline: options, the decision stage, the publishers, and the core's
    /// invite flow. Needs a <see cref="CampaignSet"/>, an <see cref="IInviteDispatcher"/> and
    /// <see cref="IInvitePermits"/> registered by the host.
    /// </summary>
    public static IHostApplicationBuilder AddInvitePipeline(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<KafkaOptions>()
            .BindSettings(builder.Configuration, KafkaOptions.SectionName)
            .Validate(o => !string.IsNullOrWhiteSpace(o.BootstrapServers), "Kafka:BootstrapServers is required (leave it empty only in embedded mode, where the host fills it in).")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<KafkaOptions>, ProtectedClientProperties>();
        services.AddOptions<PipelineOptions>()
            .BindSettings(builder.Configuration, PipelineOptions.SectionName)
            .Validate(o => o.MinTimeToSend < o.MaxInviteDelay, "Pipeline:MinTimeToSend must be shorter than Pipeline:MaxInviteDelay, or no invite could ever get a permit.")
            .ValidateOnStart();

        services.AddOptions<SerializationOptions>()
            .BindSettings(builder.Configuration, SerializationOptions.SectionName)
            .Validate(
                o => o.Format != RecordFormat.Avro || !string.IsNullOrWhiteSpace(o.SchemaRegistryUrl) || o.SchemaRegistry.ContainsKey("schema.registry.url"),
                "Serialization:SchemaRegistryUrl is required when Serialization:Format is Avro.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        // Registered only if the host has none: tests bring an in-memory registry.
        services.TryAddSingleton<ISchemaRegistryClient>(sp =>
        {
            return new CachedSchemaRegistryClient(sp.GetRequiredService<IOptions<SerializationOptions>>().Value.RegistryConfig());
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
        services.AddSingleton(sp =>
        {
            var pipeline = sp.GetRequiredService<IOptions<PipelineOptions>>().Value;
            return new InviteDecider(
                sp.GetRequiredService<CampaignSet>().Campaigns,
                new DecisionRules(pipeline.MaxEventAge, pipeline.ConsolidatedSuppression));
        });
        services.AddSingleton<StatsAccumulator>();
        services.AddSingleton(sp =>
        {
            var pipeline = sp.GetRequiredService<IOptions<PipelineOptions>>().Value;
            IFilterResultSink filterResults = sp.GetRequiredService<FilterResultTelemetry>();
            if (sp.GetRequiredService<IOptions<KafkaOptions>>().Value.PublishesStats)
            {
                filterResults = new FilterResultSinks(filterResults, sp.GetRequiredService<StatsAccumulator>());
            }

            return new InviteFlow(
                sp.GetRequiredService<InviteDecider>(),
                sp.GetRequiredService<IInviteDispatcher>(),
                sp.GetRequiredService<OutcomePublisher>(),
                filterResults,
                new InviteFlowSettings(pipeline.MaxInviteDelay, pipeline.EmitNotEligible, [.. pipeline.PassThroughAttributes], pipeline.MinTimeToSend),
                sp.GetRequiredService<TimeProvider>());
        });
        // Without transactions one producer serves every stage: each librdkafka client keeps a thread
        // and a connection per broker, and under an open load four of them sending small requests
        // took the processor time the decisions needed. With them, each transactional stage has its
        // own and the grants and statistics (never transactional) share a third.
        services.AddSingleton(sp => Publisher(sp, IsTransactional(sp) ? PublisherRole.Contacts : PublisherRole.Stages));
        services.AddKeyedSingleton(PublisherKeys.Dispatch, (sp, _) => IsTransactional(sp) ? Publisher(sp, PublisherRole.Dispatch) : sp.GetRequiredService<RecordPublisher>());
        services.AddKeyedSingleton(PublisherKeys.Grants, (sp, _) =>
        {
            var publisher = IsTransactional(sp) ? Publisher(sp, PublisherRole.Grants) : sp.GetRequiredService<RecordPublisher>();

            // The grant changelog is written before any stage's loop runs (restores need nothing of it, grants do).
            publisher.Start();
            return publisher;
        });
        services.AddKeyedSingleton(PublisherKeys.Stats, (sp, _) =>
            IsTransactional(sp) ? sp.GetRequiredKeyedService<RecordPublisher>(PublisherKeys.Grants) : sp.GetRequiredService<RecordPublisher>());
        services.AddSingleton<StatsPartialWriter>();
        services.AddSingleton<StatsPartitions>();
        services.AddSingleton<OutcomePublisher>();
        services.AddSingleton<DeadLetterPublisher>();
        services.AddSingleton<RekeyForwarder>();
        services.AddSingleton<TriggerPublisher>();
        services.AddSingleton<ChangelogReader>();
        services.AddSingleton<ContactStateChangelog>();
        services.AddSingleton<EventRecordReader>();
        services.AddSingleton(sp => new ContactPartitioner(sp.GetRequiredService<IOptions<KafkaOptions>>().Value.KeyPartitioner));
        services.AddSingleton<RecordRouting>();
        services.AddSingleton<FilterResultTelemetry>();
        services.AddSingleton<RecordHandler>();
        services.AddSingleton<DecisionPartitions>();
        services.AddSingleton<DispatchPartitions>();
        services.AddSingleton<TopicLayout>();
        services.AddHostedService<TopicLayoutCheck>();
        // Registered as they are (AddHostedService would keep only the first of one type).
        services.AddSingleton<IHostedService>(sp =>
        {
            var kafka = sp.GetRequiredService<IOptions<KafkaOptions>>().Value;
            return Stage(sp, "contact", KafkaClientConfig.GroupConsumer(kafka), kafka.SourceTopics, KafkaClientConfig.FollowerConsumer(kafka),
                sp.GetRequiredService<DecisionPartitions>(), sp.GetRequiredService<RecordPublisher>(), countsStatistics: kafka.PublishesStats);
        });
        services.AddSingleton<IHostedService>(sp =>
        {
            var kafka = sp.GetRequiredService<IOptions<KafkaOptions>>().Value;
            return Stage(sp, "dispatch", KafkaClientConfig.DispatchConsumer(kafka), [kafka.EffectiveTriggerTopic], null,
                sp.GetRequiredService<DispatchPartitions>(), sp.GetRequiredKeyedService<RecordPublisher>(PublisherKeys.Dispatch));
        });
        // Kafka:StatsTopic set empty turns the statistics off, and with them this stage (unset: the default topic).
        if (builder.Configuration[$"{KafkaOptions.SectionName}:{nameof(KafkaOptions.StatsTopic)}"] is not { } statsTopic || KafkaOptions.NamesStatsTopic(statsTopic))
        {
            services.AddSingleton<IHostedService>(sp =>
            {
                var kafka = sp.GetRequiredService<IOptions<KafkaOptions>>().Value;
                return Stage(sp, "stats", KafkaClientConfig.StatsConsumer(kafka), [kafka.EffectiveStatsPartialTopic], null,
                    sp.GetRequiredService<StatsPartitions>(), sp.GetRequiredKeyedService<RecordPublisher>(PublisherKeys.Stats));
            });
        }

        services.AddHostedService<ContactStateEviction>();
        services.AddHostedService<ApiGrantRecorder>();
        return builder;
    }

    private static bool IsTransactional(IServiceProvider services) => services.GetRequiredService<IOptions<KafkaOptions>>().Value.Transactional;

    private static RecordPublisher Publisher(IServiceProvider services, PublisherRole role) =>
        new(
            KafkaClientConfig.Publisher(services.GetRequiredService<IOptions<KafkaOptions>>().Value, role),
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILogger<RecordPublisher>>());

    // One loop per stage, each with a commit policy of its own (and, in transactional mode, its own transactions).
    private static StageService Stage(
        IServiceProvider services, string name, ConsumerConfig group, IReadOnlyList<string> topics, ConsumerConfig? follower, IPartitionStage stage, RecordPublisher publisher,
        bool countsStatistics = false)
    {
        var kafka = services.GetRequiredService<IOptions<KafkaOptions>>();
        var time = services.GetRequiredService<TimeProvider>();
        ICommitPolicy commits = publisher.IsTransactional
            ? new TransactionalCommits(publisher, kafka, time)
            : new StoredOffsetCommits(time, services.GetRequiredService<ILogger<StoredOffsetCommits>>());
        if (countsStatistics)
        {
            commits = new StatsGatedCommits(
                commits, services.GetRequiredService<StatsAccumulator>(), services.GetRequiredService<StatsPartialWriter>(), time, services.GetRequiredService<ILogger<StatsGatedCommits>>());
        }

        var progress = new ConsumerProgress(
            name, services.GetRequiredService<PipelineHealth>(), services.GetRequiredService<PipelineStatistics>(), time, services.GetRequiredService<ILogger<ConsumerProgress>>());
        return new StageService(
            name, group, topics, follower, stage, publisher, commits, progress, services.GetRequiredService<PipelineHealth>(), services.GetRequiredService<ILogger<StageService>>());
    }
}
