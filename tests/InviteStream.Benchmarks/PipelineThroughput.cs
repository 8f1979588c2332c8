using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using HdrHistogram;
using InviteStream.Core.State;
using InviteStream.Kafka;
using InviteStream.Kafka.Clients;
using InviteStream.Kafka.Pipeline;
using InviteStream.Kafka.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace InviteStream.Benchmarks;

/// <summary>
/// The worker end to end on the embedded broker (in another process, with the simulator), against
/// baselines measured in the same run: a raw consume loop and a raw consume-and-produce loop with the
/// worker's fetch settings, bare HTTP posts to the same simulator, and Streamiz.Kafka.Net running the
/// same decisions. Workloads: no-match, mix (85 % no match, 10 % cooldown, 5 % invite) and all-trigger;
/// then latency under an open-loop load at 25, 50 and 75 % of the mix capacity, and the restore of
/// contact state from the changelog.
/// </summary>
internal static class PipelineThroughput
{
    private const int Partitions = 12;
    private const int Rounds = 5;

    // Every trigger of the one campaign goes through one trigger partition, and the embedded broker
    // trims a partition's log at about 5 MB (~6 000 triggers): more would be lost before they are read.
    private const int MaxTriggerEvents = 4_000;

    // Bare POSTs per round of the HTTP ceiling: about a second of them.
    private const int CeilingRequests = 12_000;

    // A compacted changelog partition holds ~5 MB on the embedded broker: 1 M snapshots need about 64.
    private const int RestorePartitions = 64;

    // One contact's state records all go to one changelog partition, which the embedded broker trims at about 5 MB.
    private const int MaxHotContactEvents = 5_000;

    // The issue's targets for the mix, as ratios.
    private const double MixToConsumeTarget = 0.6;
    private const double MixToStreamizTarget = 1.5;

    private static readonly double[] Loads = [0.25, 0.5, 0.75];
    private static readonly TimeSpan LoadDuration = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan LoadWarmUp = TimeSpan.FromSeconds(2);

    private static readonly Dictionary<string, string?> WorkerSettings = new()
    {
        // The benchmark's events carry the time the benchmark started.
        ["Pipeline:MaxEventAge"] = "01:00:00",
        ["Pipeline:MaxInviteDelay"] = "01:00:00",
    };

    private static readonly PeakWorkingSet WorkerMemory = new();

    // Processor time per event of the last worker run: the worker's process, and the broker's and simulator's.
    private static (double Worker, double Stack) _lastCpu;

    // Of the last latency run, while the load ran: both processes' processor time over the wall
    // clock, and per event produced (this process holds the load's producer and reader too).
    private static LoadCpu _lastLoadCpu;

    private readonly record struct LoadCpu(double CoresBusy, double SelfMsPerEvent, double StackMsPerEvent);

    // Bytes the benchmark process allocated per event while the last worker run decided: only the
    // worker runs in this process then, and unlike a rate it hardly varies between runs.
    private static double _lastAllocatedPerEvent;

    // With --allocations: which types those bytes are, from the runtime's allocation samples.
    private static AllocationSampler? _allocationSampler;

    public static async Task RunAsync(int events, int restoreContacts, string? only, string? variant = null, bool allocations = false)
    {
        using var allocationSampler = allocations ? new AllocationSampler() : null;
        _allocationSampler = allocationSampler;
        using var stack = BenchStack.Start();
        using var sampler = WorkerMemory.Start();
        if (only is not null)
        {
            // For profiling one path alone.
            if (only == "restore")
            {
                Console.WriteLine(Line($"restore_contacts_per_s={await RestoreAsync(stack, restoreContacts):F0}"));
                return;
            }

            if (only.StartsWith("latency@", StringComparison.Ordinal) && variant is not null)
            {
                await CompareLatencyAsync(stack, double.Parse(only["latency@".Length..], CultureInfo.InvariantCulture), variant);
                return;
            }

            if (only == "hot")
            {
                await HotContactAsync(stack, Math.Min(events, MaxHotContactEvents));
                return;
            }

            if (only == "trigger-vs-http")
            {
                await CompareWithHttpAsync(stack, events);
                return;
            }

            if (only.EndsWith("-vs-consume", StringComparison.Ordinal))
            {
                await CompareWithConsumeAsync(stack, Enum.Parse<WorkloadKind>(only[..^"-vs-consume".Length], ignoreCase: true), events);
                return;
            }

            var kind = Enum.Parse<WorkloadKind>(only, ignoreCase: true);
            var count = kind == WorkloadKind.Trigger ? Math.Min(events, MaxTriggerEvents) : events;
            if (variant is null)
            {
                Console.WriteLine(Line($"{only}_events_per_s={await WorkerAsync(stack, kind, count, only):F0}"));
                Console.WriteLine(Line($"cpu_ms_per_event worker={_lastCpu.Worker:F3} broker_and_simulator={_lastCpu.Stack:F3} allocated_bytes_per_event={_lastAllocatedPerEvent:F0}"));
                return;
            }

            // A setting against the defaults, in alternating runs of one process: the machine's
            // noise between runs is larger than most changes worth measuring.
            var (key, value) = variant.Split('=', 2) is [var k, var v] ? (k, v) : throw new ArgumentException("--variant takes key=value", nameof(variant));
            var baseline = new List<double>();
            var changed = new List<double>();
            for (var round = 0; round < Rounds; round++)
            {
                baseline.Add(await WorkerAsync(stack, kind, count, $"{only}-a{round}"));
                changed.Add(await WorkerAsync(stack, kind, count, $"{only}-b{round}", new Dictionary<string, string?> { [key] = value }));
                Console.Error.WriteLine(Line($"# round {round}: defaults {baseline[^1]:F0}/s, {variant} {changed[^1]:F0}/s"));
            }

            Console.WriteLine(Line($"{only}_events_per_s defaults={Median(baseline):F0} variant={Median(changed):F0} ratio={Median(Ratios(changed, baseline)):F2}"));
            return;
        }

        // The runs of a round follow each other seconds apart and the median round is reported:
        // the machine's noise and warm-up hit every side alike.
        var consume = new List<double>();
        var consumeProduce = new List<double>();
        var noMatch = new List<double>();
        var mix = new List<double>();
        var streamiz = new List<double>();
        var noMatchCpu = new List<(double Worker, double Stack)>();
        var mixCpu = new List<(double Worker, double Stack)>();
        var noMatchAllocated = new List<double>();
        var mixAllocated = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            consume.Add(await RawConsumeAsync(stack, events, $"rawc{round}", produce: false));
            consumeProduce.Add(await RawConsumeAsync(stack, events, $"rawp{round}", produce: true));
            noMatch.Add(await WorkerAsync(stack, WorkloadKind.NoMatch, events, $"nomatch{round}"));
            noMatchCpu.Add(_lastCpu);
            noMatchAllocated.Add(_lastAllocatedPerEvent);
            mix.Add(await WorkerAsync(stack, WorkloadKind.Mix, events, $"mix{round}"));
            mixCpu.Add(_lastCpu);
            mixAllocated.Add(_lastAllocatedPerEvent);
            streamiz.Add(await StreamizAsync(stack, events, $"peer{round}"));
            Console.Error.WriteLine(Line(
                $"# round {round}: consume {consume[^1]:F0}/s, consume-produce {consumeProduce[^1]:F0}/s, no-match {noMatch[^1]:F0}/s, mix {mix[^1]:F0}/s, streamiz mix {streamiz[^1]:F0}/s"));
        }

        var triggers = await TriggerRoundsAsync(stack, Math.Min(events, MaxTriggerEvents), Math.Min(events, CeilingRequests));
        var mixCapacity = Median(mix);
        var latencies = new List<(double Load, LongHistogram Histogram, double Rate, LoadCpu Cpu)>();
        foreach (var load in Loads)
        {
            var rate = load * mixCapacity;
            latencies.Add((load, await LatencyAsync(stack, rate, $"load{load * 100:F0}"), rate, _lastLoadCpu));
        }

        var restore = await RestoreAsync(stack, restoreContacts);

        Console.WriteLine(Line($"machine={Environment.ProcessorCount} cores, {Environment.OSVersion.VersionString}, .NET {Environment.Version}"));
        Console.WriteLine(Line($"events={events} partitions={Partitions} rounds={Rounds}"));
        Console.WriteLine(Line($"raw_consume_per_s={Median(consume):F0}"));
        Console.WriteLine(Line($"raw_consume_produce_per_s={Median(consumeProduce):F0}"));
        Console.WriteLine(Line($"nomatch_events_per_s={Median(noMatch):F0}"));
        Console.WriteLine(Line($"mix_events_per_s={mixCapacity:F0}"));
        Console.WriteLine(Line($"streamiz_mix_events_per_s={Median(streamiz):F0}"));
        Console.WriteLine(Line($"trigger_events_per_s={triggers.TriggerRate:F0}"));
        Console.WriteLine(Line($"http_trigger_ceiling_per_s={triggers.CeilingRate:F0}"));
        Console.WriteLine(Line($"cpu_ms_per_bare_post client={triggers.BarePostCpu.Client:F3} broker_and_simulator={triggers.BarePostCpu.Stack:F3}"));
        Console.WriteLine(Line($"cpu_ms_per_event nomatch: worker={Median(noMatchCpu.Select(c => c.Worker)):F4} broker={Median(noMatchCpu.Select(c => c.Stack)):F4}"));
        Console.WriteLine(Line($"cpu_ms_per_event mix: worker={Median(mixCpu.Select(c => c.Worker)):F4} broker_and_simulator={Median(mixCpu.Select(c => c.Stack)):F4}"));
        Console.WriteLine(Line($"cpu_ms_per_event trigger: worker={triggers.InviteCpu.Worker:F3} broker_and_simulator={triggers.InviteCpu.Stack:F3}"));
        Console.WriteLine(Line($"allocated_bytes_per_event nomatch={Median(noMatchAllocated):F0} mix={Median(mixAllocated):F0} trigger={triggers.AllocatedPerInvite:F0}"));
        foreach (var (load, histogram, rate, loadCpu) in latencies)
        {
            Console.WriteLine(Line(
                $"latency_ms_at_{load * 100:F0}pct rate={rate:F0}/s outcomes={histogram.TotalCount} p50={Ms(histogram, 50):F1} p99={Ms(histogram, 99):F1} p999={Ms(histogram, 99.9):F1} max={histogram.GetMaxValue() / 1000.0:F1}"));
            Console.WriteLine(Line(
                $"cpu_at_{load * 100:F0}pct cores_busy={loadCpu.CoresBusy:F2} of {Environment.ProcessorCount} ms_per_event: worker_and_load={loadCpu.SelfMsPerEvent:F4} broker_and_simulator={loadCpu.StackMsPerEvent:F4}"));
        }

        // What the mix targets ask of the invite path alone, next to the bare HTTP calls' own ceiling.
        var inviteShare = Enumerable.Range(0, events).Count(i => Workload.Invites(WorkloadKind.Mix, i)) / (double)events;
        Console.WriteLine(Line(
            $"invites_per_s_at_mix_targets to_consume={MixToConsumeTarget * Median(consume) * inviteShare:F0} to_streamiz={MixToStreamizTarget * Median(streamiz) * inviteShare:F0} http_trigger_ceiling={triggers.CeilingRate:F0}"));
        Console.WriteLine(Line($"ratio_nomatch_to_consume={Median(Ratios(noMatch, consume)):F2}"));
        Console.WriteLine(Line($"ratio_mix_to_consume={Median(Ratios(mix, consume)):F2}"));
        Console.WriteLine(Line($"ratio_trigger_to_http_ceiling={triggers.Ratio:F2}"));
        Console.WriteLine(Line($"ratio_mix_to_streamiz={Median(Ratios(mix, streamiz)):F2}"));
        Console.WriteLine(Line($"p99_ms_at_half_load={Ms(latencies.Single(l => l.Load == 0.5).Histogram, 99):F1}"));
        Console.WriteLine(Line($"restore_contacts_per_s={restore:F0}"));
        Console.WriteLine(Line($"peak_working_set_mb={WorkerMemory.PeakBytes / 1048576.0:F0}"));
    }

    // One workload against the raw consume loop, in alternating rounds: how a change to the worker's
    // code is judged, since builds cannot be compared in one process and single runs vary by a factor of two.
    private static async Task CompareWithConsumeAsync(BenchStack stack, WorkloadKind kind, int events)
    {
        var consume = new List<double>();
        var worker = new List<double>();
        var workerCpu = new List<double>();
        var workerAllocated = new List<double>();
        var name = kind.ToString().ToLowerInvariant();

        // Not counted: the first runs of each side still execute unoptimised code.
        await RawConsumeAsync(stack, events, "rawc-warm", produce: false);
        await WorkerAsync(stack, kind, events, $"{name}-warm");
        for (var round = 0; round < Rounds; round++)
        {
            consume.Add(await RawConsumeAsync(stack, events, $"rawc{round}", produce: false));
            worker.Add(await WorkerAsync(stack, kind, events, $"{name}{round}"));
            workerCpu.Add(_lastCpu.Worker);
            workerAllocated.Add(_lastAllocatedPerEvent);
            Console.Error.WriteLine(Line(
                $"# round {round}: consume {consume[^1]:F0}/s, {name} {worker[^1]:F0}/s ({workerCpu[^1]:F4} ms of processor time, {workerAllocated[^1]:F0} bytes allocated per event)"));
        }

        Console.WriteLine(Line(
            $"{name}_events_per_s={Median(worker):F0} raw_consume_per_s={Median(consume):F0} ratio={Median(Ratios(worker, consume)):F2} cpu_ms_per_event={Median(workerCpu):F4} allocated_bytes_per_event={Median(workerAllocated):F0}"));
    }

    // The mix at a fixed rate, with the defaults and with one setting changed, in alternating rounds.
    private static async Task CompareLatencyAsync(BenchStack stack, double perSecond, string variant)
    {
        var (key, value) = variant.Split('=', 2) is [var k, var v] ? (k, v) : throw new ArgumentException("--variant takes key=value", nameof(variant));
        var baseline = new List<LongHistogram>();
        var changed = new List<LongHistogram>();
        for (var round = 0; round < 3; round++)
        {
            baseline.Add(await LatencyAsync(stack, perSecond, $"lat-a{round}"));
            changed.Add(await LatencyAsync(stack, perSecond, $"lat-b{round}", new Dictionary<string, string?> { [key] = value }));
            Console.Error.WriteLine(Line($"# round {round}: defaults p50 {Ms(baseline[^1], 50):F1} p99 {Ms(baseline[^1], 99):F1} ms; {variant} p50 {Ms(changed[^1], 50):F1} p99 {Ms(changed[^1], 99):F1} ms"));
        }

        Console.WriteLine(Line(
            $"latency_ms at {perSecond:F0}/s: defaults p50 {Median(baseline.Select(h => Ms(h, 50))):F1} p99 {Median(baseline.Select(h => Ms(h, 99))):F1}; {variant} p50 {Median(changed.Select(h => Ms(h, 50))):F1} p99 {Median(changed.Select(h => Ms(h, 99))):F1}"));
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static IEnumerable<double> Ratios(List<double> worker, List<double> baseline) => worker.Zip(baseline, (w, b) => w / b);

    private static double Ms(LongHistogram histogram, double percentile) => histogram.GetValueAtPercentile(percentile) / 1000.0;

    private static async Task CompareWithHttpAsync(BenchStack stack, int events)
    {
        var triggers = await TriggerRoundsAsync(stack, Math.Min(events, MaxTriggerEvents), Math.Min(events, CeilingRequests));
        Console.WriteLine(Line(
            $"trigger_events_per_s={triggers.TriggerRate:F0} http_trigger_ceiling_per_s={triggers.CeilingRate:F0} ratio={triggers.Ratio:F2} cpu_ms_per_invite={triggers.InviteCpu.Worker:F3}+{triggers.InviteCpu.Stack:F3} per_bare_post={triggers.BarePostCpu.Client:F3}+{triggers.BarePostCpu.Stack:F3}"));
    }

    // The all-trigger workload against its HTTP ceiling, alternating like the other baselines, after
    // an uncounted run of each.
    private static async Task<TriggerRounds> TriggerRoundsAsync(BenchStack stack, int triggers, int requests)
    {
        var rounds = new TriggerRounds();
        using var http = new HttpClient { BaseAddress = stack.SimulatorUrl };
        var token = await DispatchThroughput.RawTokenAsync(http);
        await WorkerAsync(stack, WorkloadKind.Trigger, triggers, "trigger-warm");
        await HttpCeilingAsync(stack, http, token, requests, "ceiling-warm");
        for (var round = 0; round < Rounds; round++)
        {
            rounds.Trigger.Add(await WorkerAsync(stack, WorkloadKind.Trigger, triggers, $"trigger{round}"));
            rounds.TriggerCpu.Add(_lastCpu);
            rounds.TriggerAllocated.Add(_lastAllocatedPerEvent);
            var (rate, cpu) = await HttpCeilingAsync(stack, http, token, requests, $"ceiling{round}");
            rounds.Ceiling.Add(rate);
            rounds.BareCpu.Add(cpu);
            Console.Error.WriteLine(Line($"# trigger round {round}: trigger {rounds.Trigger[^1]:F0}/s, bare POSTs {rate:F0}/s"));
        }

        return rounds;
    }

    // One POST per trigger is the product's contract, so the HTTP round trip to the same simulator,
    // with as many requests in flight as the worker allows per partition, bounds the trigger rate.
    private static async Task<(double Rate, (double Client, double Stack) CpuMs)> HttpCeilingAsync(BenchStack stack, HttpClient http, string token, int requests, string name)
    {
        var campaignId = BenchStack.Campaign.Id;
        var cpu = CpuUse.Start(stack);
        var rate = await DispatchThroughput.RunConcurrentlyAsync(requests, 64, i => DispatchThroughput.RawPostAsync(http, token, campaignId, $"{name}-{i}"));
        return (rate, cpu.PerItemMs(requests));
    }

    // The rounds of the all-trigger workload and of its bare-HTTP ceiling, each figure the median round's.
    private sealed class TriggerRounds
    {
        public List<double> Trigger { get; } = [];

        public List<double> Ceiling { get; } = [];

        public List<(double Worker, double Stack)> TriggerCpu { get; } = [];

        public List<(double Client, double Stack)> BareCpu { get; } = [];

        public List<double> TriggerAllocated { get; } = [];

        public double TriggerRate => Median(Trigger);

        public double CeilingRate => Median(Ceiling);

        public double Ratio => Median(Ratios(Trigger, Ceiling));

        public (double Worker, double Stack) InviteCpu => (Median(TriggerCpu.Select(c => c.Worker)), Median(TriggerCpu.Select(c => c.Stack)));

        public (double Client, double Stack) BarePostCpu => (Median(BareCpu.Select(c => c.Client)), Median(BareCpu.Select(c => c.Stack)));

        public double AllocatedPerInvite => Median(TriggerAllocated);
    }

    /// <summary>Processor time of this process and of the broker's, from a start to a number of items done.</summary>
    private sealed class CpuUse(BenchStack stack, TimeSpan self, TimeSpan child)
    {
        public static CpuUse Start(BenchStack stack) => new(stack, SelfCpu(), stack.ProcessorTime);

        public (double SelfMs, double StackMs) PerItemMs(int items) =>
            ((SelfCpu() - self).TotalMilliseconds / items, (stack.ProcessorTime - child).TotalMilliseconds / items);

        /// <summary>Both processes' processor time since the start, in cores busy over <paramref name="elapsed"/>.</summary>
        public double CoresBusy(TimeSpan elapsed) => ((SelfCpu() - self) + (stack.ProcessorTime - child)) / elapsed;

        private static TimeSpan SelfCpu()
        {
            using var process = Process.GetCurrentProcess();
            return process.TotalProcessorTime;
        }
    }

    // A consume loop with the worker's input fetch settings that stores each offset (auto-committed,
    // as the worker's are) and, with `produce`, copies each record to an output topic.
    private static async Task<double> RawConsumeAsync(BenchStack stack, int events, string name, bool produce)
    {
        stack.CreateTopic($"{name}-in", Partitions);
        stack.CreateTopic($"{name}-out", Partitions);
        Workload.Produce(stack.BootstrapServers, $"{name}-in", WorkloadKind.Mix, name, 0, events);

        using var consumer = new ConsumerBuilder<string?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = stack.BootstrapServers,
            GroupId = name,
            GroupProtocol = GroupProtocol.Consumer,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoOffsetStore = false,
            FetchWaitMaxMs = KafkaClientConfig.FetchWaitMaxMs,
            FetchQueueBackoffMs = KafkaClientConfig.FetchQueueBackoffMs,
        }).Build();
        using var producer = new ProducerBuilder<string?, byte[]>(new ProducerConfig
        {
            BootstrapServers = stack.BootstrapServers,
            EnableIdempotence = true,
            LingerMs = 5,
        }).Build();

        Stopwatch? clock = null;
        consumer.Subscribe($"{name}-in");
        var delivered = 0;
        var read = 0;
        while (read < events)
        {
            var record = consumer.Consume(TimeSpan.FromSeconds(30)) ?? throw new TimeoutException($"{name}: the raw loop stalled");
            clock ??= Stopwatch.StartNew();
            read++;
            if (produce)
            {
                producer.Produce($"{name}-out", new Message<string?, byte[]> { Key = record.Message.Key, Value = record.Message.Value }, _ => Interlocked.Increment(ref delivered));
            }

            consumer.StoreOffset(record);
        }

        producer.Flush(TimeSpan.FromSeconds(60));
        var rate = events / clock!.Elapsed.TotalSeconds;
        consumer.Close();
        await Task.CompletedTask;
        return !produce || delivered == events ? rate : throw new InvalidOperationException($"{name}: the raw loop delivered {delivered} of {events}");
    }

    // From the first event read to the last decided, over a backlog produced before the start.
    private static async Task<double> WorkerAsync(BenchStack stack, WorkloadKind kind, int events, string name, IDictionary<string, string?>? settings = null)
    {
        using var host = BenchmarkWorker.Build(stack, name, Partitions, settings is null ? WorkerSettings : WorkerSettings.Concat(settings).ToDictionary());
        Workload.Produce(stack.BootstrapServers, $"{name}-in", kind, name, 0, events);
        var statistics = host.Services.GetRequiredService<PipelineStatistics>();
        using var measuring = WorkerMemory.Measure();
        await host.StartAsync();
        while (statistics.EventsRead == 0)
        {
            await Task.Delay(1);
        }

        var clock = Stopwatch.StartNew();
        var cpu = CpuUse.Start(stack);
        var collections = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var allocated = GC.GetTotalAllocatedBytes(precise: false);
        _allocationSampler?.Start();
        while (statistics.Finished < events)
        {
            await Task.Delay(5);
            if (clock.Elapsed > TimeSpan.FromMinutes(3))
            {
                throw new TimeoutException($"{name}: {statistics.Finished} of {events} decided after 3 minutes");
            }
        }

        var rate = events / clock.Elapsed.TotalSeconds;
        _lastCpu = cpu.PerItemMs(events);
        _lastAllocatedPerEvent = (GC.GetTotalAllocatedBytes(precise: false) - allocated) / (double)events;
        foreach (var (type, bytes) in _allocationSampler?.Stop(top: 15) ?? [])
        {
            Console.Error.WriteLine(Line($"#   {bytes / (double)events,8:F0} bytes per event: {type}"));
        }

        Console.Error.WriteLine(Line(
            $"# {name}: GC collections during the run: gen0 {GC.CollectionCount(0) - collections.Item1}, gen1 {GC.CollectionCount(1) - collections.Item2}, gen2 {GC.CollectionCount(2) - collections.Item3}; {_lastAllocatedPerEvent:F0} bytes allocated per event"));
        await host.StopAsync();
        return rate;
    }

    /// <summary>
    /// Every event of one contact, all produced before the worker starts: how fast one contact's
    /// events are decided, and what its state records cost the changelog.
    /// </summary>
    private static async Task HotContactAsync(BenchStack stack, int events)
    {
        const string name = "hot";
        var rate = await WorkerAsync(stack, WorkloadKind.HotContact, events, name);
        var (records, bytes, largest) = TopicSize(stack, new KafkaOptions { GroupId = name }.EffectiveChangelogTopic, Partitions);
        Console.WriteLine(Line($"hot_contact_events_per_s={rate:F0} events={events}"));
        Console.WriteLine(Line($"hot_contact_changelog records={records} bytes={bytes} largest_record_bytes={largest}"));
        Console.WriteLine(Line($"cpu_ms_per_event worker={_lastCpu.Worker:F3} broker_and_simulator={_lastCpu.Stack:F3} allocated_bytes_per_event={_lastAllocatedPerEvent:F0}"));
    }

    // Every record of a topic, read from its beginning to each partition's end.
    private static (int Records, long Bytes, int Largest) TopicSize(BenchStack stack, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = stack.BootstrapServers,
            GroupId = $"{topic}-size",
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        }).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var (records, bytes, largest, ended) = (0, 0L, 0, 0);
        while (ended < partitions)
        {
            var record = consumer.Consume(TimeSpan.FromSeconds(30)) ?? throw new TimeoutException($"{topic}: no end of partition after 30 s");
            if (record.IsPartitionEOF)
            {
                ended++;
                continue;
            }

            var size = record.Message.Value?.Length ?? 0;
            (records, bytes, largest) = (records + 1, bytes + size, Math.Max(largest, size));
        }

        return (records, bytes, largest);
    }

    private static async Task<double> StreamizAsync(BenchStack stack, int events, string name)
    {
        stack.CreateTopic($"{name}-in", Partitions);
        Workload.Produce(stack.BootstrapServers, $"{name}-in", WorkloadKind.Mix, name, 0, events);
        await using var peer = await StreamizPeer.StartAsync(stack, BenchStack.Campaign, name, Partitions);
        while (peer.Processed == 0)
        {
            await Task.Delay(1);
        }

        var clock = Stopwatch.StartNew();
        while (peer.Processed < events)
        {
            await Task.Delay(5);
            if (clock.Elapsed > TimeSpan.FromMinutes(3))
            {
                throw new TimeoutException($"{name}: Streamiz processed {peer.Processed} of {events} after 3 minutes");
            }
        }

        return events / clock.Elapsed.TotalSeconds;
    }

    // The load's own clients share the two cores with the worker. Lingering 1 ms, the producer sent a
    // request per partition every millisecond, and each became a message set that the embedded broker
    // scans linearly on every fetch of the partition: at 13 000 events/s the worker's p50 was 139-245 ms
    // with a 1 ms linger and a 2 ms reader wait, 51-109 ms with these (two processes each). The producer
    // lingers as librdkafka does by default; both waits are counted in every latency measured.
    private const int LoadProducerLingerMs = 5;
    private const int LoadReaderFetchWaitMs = 10;

    /// <summary>
    /// An open-loop producer at <paramref name="perSecond"/> (the schedule does not wait for the
    /// worker), and a consumer of the outcome topic: each outcome's latency runs from its event's
    /// scheduled produce time to the moment the outcome is read back (so after it was acknowledged).
    /// Events of the first <see cref="LoadWarmUp"/> are not counted.
    /// </summary>
    private static async Task<LongHistogram> LatencyAsync(BenchStack stack, double perSecond, string name, IDictionary<string, string?>? settings = null)
    {
        using var host = BenchmarkWorker.Build(stack, name, Partitions, settings is null ? WorkerSettings : WorkerSettings.Concat(settings).ToDictionary());
        using var measuring = WorkerMemory.Measure();
        await host.StartAsync();
        var statistics = host.Services.GetRequiredService<PipelineStatistics>();

        // Joined and restored: a first few events decided before the clock starts.
        const int Primer = 200;
        Workload.Produce(stack.BootstrapServers, $"{name}-in", WorkloadKind.NoMatch, $"{name}primer", 0, Primer);
        while (statistics.Finished < Primer)
        {
            await Task.Delay(5);
        }

        var events = (int)(perSecond * LoadDuration.TotalSeconds);
        var firstCounted = (int)(perSecond * LoadWarmUp.TotalSeconds);
        var expected = Enumerable.Range(firstCounted, events - firstCounted).Count(i => Workload.HasOutcome(WorkloadKind.Mix, i));
        var histogram = new LongHistogram(TimeSpan.FromMinutes(1).Ticks / 10, 3);

        // By status: from the scheduled produce to the outcome read, and the worker's own part of it
        // (the outcome's decisionLatencyMs, from the event read to its decision).
        var byStatus = new Dictionary<string, (LongHistogram Total, LongHistogram InWorker)>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        var cpu = CpuUse.Start(stack);
        var ticksPerEvent = Stopwatch.Frequency / perSecond;

        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
        {
            BootstrapServers = stack.BootstrapServers,
            GroupId = $"{name}-reader",
            FetchWaitMaxMs = LoadReaderFetchWaitMs,
            FetchQueueBackoffMs = 1,
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset($"{name}-out", p, Offset.Beginning)));
        var reading = Task.Factory.StartNew(
            () =>
            {
                var counted = 0;
                var deadline = LoadDuration + TimeSpan.FromSeconds(30);
                while (counted < expected && clock.Elapsed < deadline)
                {
                    var record = consumer.Consume(TimeSpan.FromMilliseconds(100));
                    var i = record?.Message.Value is { } value ? Workload.EventNumberOf(value) : -1;
                    if (i < firstCounted)
                    {
                        continue;
                    }

                    var scheduled = (long)(i * ticksPerEvent);
                    var micros = Math.Max(clock.ElapsedTicks - scheduled, 0) * 1_000_000 / Stopwatch.Frequency;
                    histogram.RecordValue(micros);
                    var (status, inWorkerMs) = Workload.StatusAndDecisionLatencyOf(record!.Message.Value);
                    var (total, inWorker) = byStatus.TryGetValue(status, out var kept)
                        ? kept
                        : byStatus[status] = (new LongHistogram(TimeSpan.FromMinutes(1).Ticks / 10, 3), new LongHistogram(TimeSpan.FromMinutes(1).Ticks / 10, 3));
                    total.RecordValue(micros);
                    inWorker.RecordValue((long)(inWorkerMs * 1000));
                    counted++;
                }

                return counted;
            },
            TaskCreationOptions.LongRunning);

        using (var producer = new ProducerBuilder<string?, byte[]>(new ProducerConfig
        {
            BootstrapServers = stack.BootstrapServers,
            LingerMs = LoadProducerLingerMs,
            EnableIdempotence = true,
            Partitioner = Partitioner.Murmur2Random,
        }).Build())
        {
            // Every event due by now is sent, then the loop waits a millisecond: a spinning
            // producer would take one of the machine's two cores from the worker.
            var next = 0;
            while (next < events)
            {
                var now = clock.ElapsedTicks;
                while (next < events && next * ticksPerEvent <= now)
                {
                    producer.Produce($"{name}-in", Workload.Message(WorkloadKind.Mix, name, next));
                    next++;
                }

                await Task.Delay(1);
            }

            producer.Flush(TimeSpan.FromSeconds(30));
        }

        var counted = await reading;
        var (selfMs, stackMs) = cpu.PerItemMs(events);
        _lastLoadCpu = new LoadCpu(cpu.CoresBusy(clock.Elapsed), selfMs, stackMs);
        Console.Error.WriteLine(Line($"# {name}: {_lastLoadCpu.CoresBusy:F2} cores busy while the load ran"));
        await host.StopAsync();
        foreach (var (status, (total, inWorker)) in byStatus.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            Console.Error.WriteLine(Line(
                $"# {name} {status}: {total.TotalCount} outcomes, produce to outcome read p50 {Ms(total, 50):F1} ms p99 {Ms(total, 99):F1} ms; event read to decided (in the worker) p50 {Ms(inWorker, 50):F1} ms p99 {Ms(inWorker, 99):F1} ms"));
        }

        if (counted < expected)
        {
            Console.Error.WriteLine(Line($"# {name}: only {counted} of {expected} outcomes arrived within 30 s of the load's end"));
        }

        // Recorded in microseconds.
        return histogram;
    }

    /// <summary>Contacts per second restored from the changelog into stores, every partition at once as on an assignment.</summary>
    private static async Task<double> RestoreAsync(BenchStack stack, int contacts)
    {
        const string Name = "restore";
        using var host = BenchmarkWorker.Build(stack, Name, RestorePartitions, WorkerSettings);
        var topic = host.Services.GetRequiredService<IOptions<KafkaOptions>>().Value.EffectiveChangelogTopic;
        var invitedAt = TimeProvider.System.GetUtcNow();
        using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = stack.BootstrapServers, LingerMs = 20, EnableIdempotence = true }).Build())
        {
            for (var i = 0; i < contacts; i++)
            {
                var contactId = string.Create(CultureInfo.InvariantCulture, $"ext:restore{i:D8}");
                var snapshot = new ContactSnapshot(contactId, [new InviteRecord(BenchStack.Campaign.Id, invitedAt)]);
                var message = new Message<byte[], byte[]> { Key = System.Text.Encoding.UTF8.GetBytes(contactId), Value = ContactSnapshotJson.Write(snapshot) };
                while (true)
                {
                    try
                    {
                        producer.Produce(new TopicPartition(topic, i % RestorePartitions), message);
                        break;
                    }
                    catch (ProduceException<byte[], byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                    {
                        producer.Poll(TimeSpan.FromMilliseconds(50));
                    }
                }
            }

            producer.Flush(TimeSpan.FromSeconds(120));
        }

        var changelog = host.Services.GetRequiredService<ContactStateChangelog>();
        using var measuring = WorkerMemory.Measure();
        var clock = Stopwatch.StartNew();
        var restore = changelog.Restore([.. Enumerable.Range(0, RestorePartitions)], TimeSpan.FromDays(1));
        var stores = await Task.WhenAll(Enumerable.Range(0, RestorePartitions).Select(p => restore.Of(p, CancellationToken.None)));
        var elapsed = clock.Elapsed;
        var restored = stores.Sum(s => s.Count);
        Console.Error.WriteLine(Line($"# restore: {restored} of {contacts} contacts in {elapsed.TotalMilliseconds:F0} ms over {RestorePartitions} partitions"));

        // What bounds it: the same reader over the same changelog, records counted, not parsed.
        clock.Restart();
        var counted = new CountingTarget();
        host.Services.GetRequiredService<ChangelogReader>().ReadToEnd(topic, [.. Enumerable.Range(0, RestorePartitions)], counted, withHeaders: false, CancellationToken.None);
        Console.Error.WriteLine(Line($"# restore: the same reader over the same changelog, nothing parsed: {counted.Records / clock.Elapsed.TotalSeconds:F0} records/s"));
        return restored == contacts
            ? contacts / elapsed.TotalSeconds
            : throw new InvalidOperationException($"restored {restored} of {contacts} contacts (the embedded broker trims a partition past ~5 MB)");
    }

    private sealed class CountingTarget : IChangelogTarget
    {
        public int Records { get; private set; }

        public void Apply(int partition, byte[] key, byte[]? value, Headers? headers) => Records++;

        public void Starting(int partition, long records)
        {
        }

        public void ReachedEnd(int partition)
        {
        }

        public bool Wants(int partition) => true;
    }

    private static string Line(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The process's working set sampled every 100 ms while a worker runs; the peak of those samples.</summary>
    private sealed class PeakWorkingSet
    {
        private int _measuring;
        private long _peak;

        public long PeakBytes => Interlocked.Read(ref _peak);

        public IDisposable Start()
        {
            var stop = new Stop();
            _ = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    if (Volatile.Read(ref _measuring) > 0)
                    {
                        using var process = Process.GetCurrentProcess();
                        var bytes = process.WorkingSet64;
                        long peak;
                        do
                        {
                            peak = Interlocked.Read(ref _peak);
                        }
                        while (bytes > peak && Interlocked.CompareExchange(ref _peak, bytes, peak) != peak);
                    }

                    await Task.Delay(100);
                }
            });
            return stop;
        }

        public IDisposable Measure()
        {
            Interlocked.Increment(ref _measuring);
            return new Scope(this);
        }

        private sealed class Stop : IDisposable
        {
            private volatile bool _stopped;

            public bool IsCancellationRequested => _stopped;

            public void Dispose() => _stopped = true;
        }

        private sealed class Scope(PeakWorkingSet owner) : IDisposable
        {
            public void Dispose() => Interlocked.Decrement(ref owner._measuring);
        }
    }
}
