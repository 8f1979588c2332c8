using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;
using InviteStream.Core.Attributes;
using InviteStream.Core.Campaigns;
using InviteStream.Core.Filters;
using InviteStream.Kafka.Embedded;
using Microsoft.Extensions.Logging;
using Streamiz.Kafka.Net;
using Streamiz.Kafka.Net.Kafka;
using Streamiz.Kafka.Net.Metrics;
using Streamiz.Kafka.Net.Processors.Public;
using Streamiz.Kafka.Net.SerDes;
using Streamiz.Kafka.Net.State;
using Streamiz.Kafka.Net.Stream;

namespace InviteStream.Benchmarks;

/// <summary>
/// The worker's decisions written as a Streamiz.Kafka.Net user would write them: one
/// <c>TransformValues</c> that checks the campaign's filters (with InviteStream.Core's evaluator, so
/// the decisions are the worker's), keeps each contact's invites in a RocksDB store with its
/// changelog for the cooldown, and emits one outcome per matching event. It makes no HTTP call, which
/// favours it: a <c>delivered</c> outcome here is only the decision, where the worker also delivers the invite.
/// </summary>
internal sealed class StreamizPeer : IAsyncDisposable
{
    private const string StoreName = "contact-invites";

    // One stream thread per core of the 2-core benchmark machine, as the worker gets both cores:
    // more threads only take turns on them, fewer leave one idle.
    private const int StreamThreads = 2;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly KafkaStream _stream;
    // One for the process, never disposed: Streamiz keeps the last factory it was given in a static
    // and builds loggers from it in every later StreamConfig, even one given no factory.
    private static readonly ILoggerFactory Logging = LoggerFactory.Create(logging => logging
        .SetMinimumLevel(LogLevel.Warning)
        .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));

    private readonly DirectoryInfo _stateDirectory;
    private readonly PeerCounters _counters;
    private bool _disposed;

    private StreamizPeer(KafkaStream stream, DirectoryInfo stateDirectory, PeerCounters counters)
    {
        _stream = stream;
        _stateDirectory = stateDirectory;
        _counters = counters;
    }

    /// <summary>Input records processed, whatever their decision.</summary>
    public long Processed => Interlocked.Read(ref _counters.Processed);

    /// <summary>Outcome records handed to the output topic's sink.</summary>
    public long Outcomes => Interlocked.Read(ref _counters.Outcomes);

    /// <summary>
    /// Starts a Streamiz topology reading <c>{name}-in</c> (already created by the caller with
    /// <paramref name="partitions"/> partitions) and writing <c>{name}-peer-out</c>; returns once the stream is RUNNING.
    /// </summary>
    public static Task<StreamizPeer> StartAsync(EmbeddedKafkaCluster cluster, Campaign campaign, string name, int partitions)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return StartAsync(cluster.BootstrapServers, (topic, count) => cluster.CreateTopic(topic, count), campaign, name, partitions);
    }

    /// <summary>As above, on the broker of a <see cref="BenchStack"/> (another process).</summary>
    public static Task<StreamizPeer> StartAsync(BenchStack stack, Campaign campaign, string name, int partitions)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return StartAsync(stack.BootstrapServers, stack.CreateTopic, campaign, name, partitions);
    }

    private static async Task<StreamizPeer> StartAsync(string bootstrapServers, Action<string, int> createTopic, Campaign campaign, string name, int partitions)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentException.ThrowIfNullOrEmpty(name);

        var applicationId = $"{name}-peer";
        var outputTopic = $"{name}-peer-out";

        // Streamiz creates missing internal topics through the Admin API, which the embedded broker
        // never answers: it would retry for about 10 minutes, logging nothing at Warning.
        // No repartition topic: the input is keyed by contact id and the key is never changed.
        createTopic($"{applicationId}-{StoreName}-changelog", partitions);
        createTopic(outputTopic, partitions);

        var counters = new PeerCounters();
        var stateDirectory = Directory.CreateTempSubdirectory("streamiz-peer-");

        var config = new StreamConfig<StringSerDes, ByteArraySerDes>
        {
            ApplicationId = applicationId,
            BootstrapServers = bootstrapServers,
            Guarantee = ProcessingGuarantee.AT_LEAST_ONCE,
            StateDir = stateDirectory.FullName,
            NumStreamThreads = StreamThreads,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            // librdkafka's default 1 s backoff once its fetch queue is full stalls each partition
            // 0.35-0.5 s at a time on the embedded broker; so does a long fetch wait.
            FetchQueueBackoffMs = 10,
            FetchWaitMaxMs = 10,
            // The classic protocol fails here: the embedded broker refuses offset commits while a group
            // rebalances, so the first thread's commit of the partitions it hands to the second throws,
            // Streamiz drops the thread's tasks without releasing their RocksDB locks, and the second
            // thread dies on them. The benchmarked worker uses KIP-848 too.
            GroupProtocol = GroupProtocol.Consumer,
            // Streamiz sets cooperative-sticky, which librdkafka refuses with KIP-848 (the broker assigns).
            PartitionAssignmentStrategy = null,
            Logger = Logging,
        };

        var builder = new StreamBuilder();
        builder.Stream<string, byte[]>($"{name}-in")
            .TransformValues(
                TransformerBuilder.New<string, byte[], string, byte[]>()
                    .Transformer<InviteTransformer>(new InviteRules(campaign, counters))
                    .StateStore(Stores.KeyValueStoreBuilder(Stores.PersistentKeyValueStore(StoreName), new StringSerDes(), new ByteArraySerDes()))
                    .Build())
            .To(outputTopic);

        KafkaStream stream;
        try
        {
            stream = new KafkaStream(builder.Build(), config, new HandoverKafkaSupplier(new DefaultKafkaClientSupplier(new KafkaLoggerAdapter(config), config)));
        }
        catch
        {
            stateDirectory.Delete(recursive: true);
            throw;
        }

        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lastState = KafkaStream.State.CREATED;
        stream.StateChanged += (_, state) =>
        {
            lastState = state;
            if (state == KafkaStream.State.RUNNING)
            {
                running.TrySetResult();
            }
            else if (state == KafkaStream.State.ERROR || state == KafkaStream.State.PENDING_SHUTDOWN || state == KafkaStream.State.NOT_RUNNING)
            {
                running.TrySetException(new InvalidOperationException(
                    $"Streamiz peer {applicationId} stopped while starting (state {state}); its cause is logged above."));
            }
        };

        var peer = new StreamizPeer(stream, stateDirectory, counters);
        using var deadline = new CancellationTokenSource(StartTimeout);
        try
        {
            await stream.StartAsync().WaitAsync(deadline.Token);
            await running.Task.WaitAsync(deadline.Token);

            // A stream thread that dies while starting leaves the instance RUNNING on the others, and
            // a benchmark would then measure one thread without saying so.
            var alive = AliveStreamThreads(stream);
            if (alive != StreamThreads)
            {
                throw new InvalidOperationException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"Only {alive} of the {StreamThreads} stream threads of Streamiz peer {applicationId} survived its start; the cause is logged above."));
            }

            return peer;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            await peer.DisposeAsync();
            throw new TimeoutException(string.Create(
                CultureInfo.InvariantCulture,
                $"Streamiz peer {applicationId} was not RUNNING {StartTimeout.TotalSeconds:F0} s after start (last state {lastState}). " +
                $"Check that its internal topics ({applicationId}-{StoreName}-changelog) exist: the embedded broker does not create topics."));
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        // Close blocks until every stream thread has stopped and flushed.
        await Task.Run(_stream.Dispose);
        _stateDirectory.Delete(recursive: true);
    }

    private static int AliveStreamThreads(KafkaStream stream) => stream.Metrics()
        .SelectMany(sensor => sensor.Metrics)
        .Where(metric => metric.Key.Name == "stream_threads")
        .Select(metric => Convert.ToInt32(metric.Value.Value, CultureInfo.InvariantCulture))
        .DefaultIfEmpty(-1)
        .First();

    /// <summary>
    /// Streamiz's own clients, but each stream thread's assignment waits until the instance's other
    /// thread has let go of the partitions it is given.
    /// </summary>
    /// <remarks>
    /// Streamiz opens a task's RocksDB store inside the assignment callback and gives up on the thread
    /// if the store's lock is held, where Kafka Streams waits for it. At start the first thread gets
    /// all partitions and takes about a second to open their stores; until its callback returns the
    /// embedded broker (KIP-848) counts them as nobody's and gives half to the second thread, whose
    /// stores are still locked by the first: without this wait the second thread died in about half
    /// the starts on the 2-core machine.
    /// </remarks>
    private sealed class HandoverKafkaSupplier(IKafkaSupplier inner) : IKafkaSupplier
    {
        private readonly PartitionOwners _owners = new();

        public StreamMetricsRegistry MetricsRegistry
        {
            get => inner.MetricsRegistry;
            set => inner.MetricsRegistry = value;
        }

        public IConsumer<byte[], byte[]> GetConsumer(ConsumerConfig config, IConsumerRebalanceListener rebalanceListener) =>
            inner.GetConsumer(config, new HandoverListener(rebalanceListener, _owners));

        public IConsumer<byte[], byte[]> GetRestoreConsumer(ConsumerConfig config) => inner.GetRestoreConsumer(config);

        public IConsumer<byte[], byte[]> GetGlobalConsumer(ConsumerConfig config) => inner.GetGlobalConsumer(config);

        public IProducer<byte[], byte[]> GetProducer(ProducerConfig config) => inner.GetProducer(config);

        public IAdminClient GetAdmin(AdminClientConfig config) => inner.GetAdmin(config);
    }

    private sealed class HandoverListener(IConsumerRebalanceListener inner, PartitionOwners owners) : IConsumerRebalanceListener
    {
        public void PartitionsAssigned(IConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions)
        {
            owners.Take(this, partitions);
            inner.PartitionsAssigned(consumer, partitions);
        }

        public void PartitionsRevoked(IConsumer<byte[], byte[]> consumer, List<TopicPartitionOffset> partitions)
        {
            try
            {
                inner.PartitionsRevoked(consumer, partitions);
            }
            finally
            {
                owners.Release(this, partitions.Select(p => p.TopicPartition));
            }
        }

        public void PartitionsLost(IConsumer<byte[], byte[]> consumer, List<TopicPartitionOffset> partitions)
        {
            try
            {
                inner.PartitionsLost(consumer, partitions);
            }
            finally
            {
                owners.Release(this, partitions.Select(p => p.TopicPartition));
            }
        }
    }

    /// <summary>Which stream thread (by its listener) holds each partition's task, across the instance's threads.</summary>
    private sealed class PartitionOwners
    {
        // Past this the thread goes ahead, and fails as it would have without waiting.
        private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(20);

        private readonly object _gate = new();
        private readonly Dictionary<TopicPartition, object> _owners = [];

        public void Take(object owner, IReadOnlyCollection<TopicPartition> partitions)
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            lock (_gate)
            {
                while (partitions.Any(p => _owners.TryGetValue(p, out var other) && other != owner) && waited.Elapsed < MaxWait)
                {
                    Monitor.Wait(_gate, MaxWait - waited.Elapsed);
                }

                foreach (var partition in partitions)
                {
                    _owners[partition] = owner;
                }
            }
        }

        public void Release(object owner, IEnumerable<TopicPartition> partitions)
        {
            lock (_gate)
            {
                foreach (var partition in partitions)
                {
                    if (_owners.TryGetValue(partition, out var current) && current == owner)
                    {
                        _owners.Remove(partition);
                    }
                }

                Monitor.PulseAll(_gate);
            }
        }
    }

    private sealed class PeerCounters
    {
        public long Processed;
        public long Outcomes;
    }

    private sealed record InviteRules(Campaign Campaign, PeerCounters Counters);

    /// <summary>
    /// One instance per stream task (partition), made by Streamiz with <see cref="InviteRules"/>. The store
    /// holds, per contact, the time of its last invite (Unix ms) and its invite count, 12 bytes.
    /// </summary>
    private sealed class InviteTransformer : ITransformer<string, byte[], string, byte[]>
    {
        private readonly InviteRules? _rules;
        private IKeyValueStore<string, byte[]>? _store;

        // Streamiz's `new()` constraint: it builds one instance this way as a template, and never runs it.
        public InviteTransformer()
        {
        }

        public InviteTransformer(InviteRules rules) => _rules = rules;

        public void Init(ProcessorContext<string, byte[]> context)
        {
            ArgumentNullException.ThrowIfNull(context);
            _store = (IKeyValueStore<string, byte[]>)context.GetStateStore(StoreName);
        }

        public Record<string, byte[]>? Process(Record<string, byte[]> record)
        {
            ArgumentNullException.ThrowIfNull(record);
            var rules = _rules ?? throw new InvalidOperationException("The transformer was built without its rules.");
            var store = _store ?? throw new InvalidOperationException("The transformer was not initialised.");
            Interlocked.Increment(ref rules.Counters.Processed);

            var campaign = rules.Campaign;
            if (!TryRead(record.Value, out var eventId, out var contactId, out var attributes) || !AllFiltersMatch(campaign, attributes))
            {
                return null;
            }

            var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
            var stored = store.Get(contactId);
            var lastInviteAt = stored is null ? long.MinValue : BinaryPrimitives.ReadInt64LittleEndian(stored);
            var invites = stored is null ? 0 : BinaryPrimitives.ReadInt32LittleEndian(stored.AsSpan(8));

            // Stricter than the worker's sliding window once a cooldown has passed (the count never
            // falls); the same for a run shorter than the campaign's cooldown.
            var throttling = campaign.Throttling;
            var suppressed = (stored is not null && now - lastInviteAt < throttling.CooldownSeconds * 1000L)
                || invites >= throttling.MaxInvitesPerContact;
            if (!suppressed)
            {
                var state = new byte[12];
                BinaryPrimitives.WriteInt64LittleEndian(state, now);
                BinaryPrimitives.WriteInt32LittleEndian(state.AsSpan(8), invites + 1);
                store.Put(contactId, state);
            }

            Interlocked.Increment(ref rules.Counters.Outcomes);
            return Record<string, byte[]>.Create(record.Key, Outcome(eventId, contactId, campaign.Id, suppressed));
        }

        public void Close()
        {
        }

        private static bool AllFiltersMatch(Campaign campaign, Dictionary<string, AttributeValue> attributes)
        {
            foreach (var filter in campaign.Filters)
            {
                if (!FilterEvaluator.Evaluate(filter, attributes).IsMatch)
                {
                    return false;
                }
            }

            return true;
        }

        // A record that is not an event is dropped, as the worker would dead-letter it.
        private static bool TryRead(byte[] json, out string eventId, out string contactId, out Dictionary<string, AttributeValue> attributes)
        {
            eventId = contactId = string.Empty;
            attributes = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
            try
            {
                using var document = JsonDocument.Parse(json);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object
                    || !root.TryGetProperty("eventId", out var eventIdElement) || eventIdElement.ValueKind != JsonValueKind.String
                    || !root.TryGetProperty("contactId", out var contactIdElement) || contactIdElement.ValueKind != JsonValueKind.String
                    || !root.TryGetProperty("attributes", out var attributesElement) || attributesElement.ValueKind != JsonValueKind.Object)
                {
                    return false;
                }

                eventId = eventIdElement.GetString()!;
                contactId = contactIdElement.GetString()!;
                foreach (var attribute in attributesElement.EnumerateObject())
                {
                    if (AttributeJson.TryRead(attribute.Value, out var value, out _))
                    {
                        attributes[attribute.Name] = value;
                    }
                }

                return true;
            }
            catch (JsonException)
            {
                return false;
            }
        }

        private static byte[] Outcome(string eventId, string contactId, string campaignId, bool suppressed)
        {
            var buffer = new ArrayBufferWriter<byte>(192);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("eventId"u8, eventId);
                writer.WriteString("contactId"u8, contactId);
                writer.WriteString("campaignId"u8, campaignId);
                if (suppressed)
                {
                    writer.WriteString("status"u8, "suppressed"u8);
                    writer.WriteString("reason"u8, "cooldown"u8);
                }
                else
                {
                    writer.WriteString("status"u8, "delivered"u8);
                }

                writer.WriteEndObject();
            }

            return buffer.WrittenSpan.ToArray();
        }
    }
}
