using System.Reflection;
using System.Runtime.InteropServices;

namespace InviteStream.Kafka.Embedded;

/// <summary>
/// P/Invoke declarations for librdkafka's mock cluster (rdkafka_mock.h), from the same native
/// library Confluent.Kafka loads.
/// </summary>
internal static partial class LibRdKafkaMock
{
    private const string Library = "librdkafka";

    static LibRdKafkaMock() => NativeLibrary.SetDllImportResolver(typeof(LibRdKafkaMock).Assembly, Resolve);

    // Same order as Confluent.Kafka: the package's librdkafka.so needs libsasl2.so.3, which a fresh
    // machine lacks, and then the centos8 build is the one that loads. dlopen hands back the
    // already-loaded handle, so both sides share one librdkafka.
    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Library)
        {
            return IntPtr.Zero;
        }

        // Make sure Confluent.Kafka has loaded its copy first.
        _ = Confluent.Kafka.Library.Version;
        foreach (var candidate in Candidates())
        {
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle))
            {
                return handle;
            }
        }

        return NativeLibrary.TryLoad(Library, assembly, searchPath, out var fallback) ? fallback : IntPtr.Zero;
    }

    private static IEnumerable<string> Candidates()
    {
        var arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        var baseDirectory = AppContext.BaseDirectory;
        string[] folders = [Path.Combine(baseDirectory, "runtimes", $"linux-{arch}", "native"), baseDirectory];
        string[] files = ["librdkafka.so", "centos8-librdkafka.so", "alpine-librdkafka.so", "librdkafka.dylib", "librdkafka.dll"];
        return folders.SelectMany(folder => files.Select(file => Path.Combine(folder, file)));
    }

    internal const int ProducerType = 0;

    [LibraryImport(Library, EntryPoint = "rd_kafka_conf_new")]
    internal static partial IntPtr ConfNew();

    [LibraryImport(Library, EntryPoint = "rd_kafka_conf_destroy")]
    internal static partial void ConfDestroy(IntPtr conf);

    [LibraryImport(Library, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ConfSet(IntPtr conf, string name, string value, byte[] errstr, nuint errstrSize);

    [LibraryImport(Library, EntryPoint = "rd_kafka_new")]
    internal static partial IntPtr New(int type, IntPtr conf, byte[] errstr, nuint errstrSize);

    [LibraryImport(Library, EntryPoint = "rd_kafka_destroy")]
    internal static partial void Destroy(IntPtr rk);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_cluster_new")]
    internal static partial IntPtr ClusterNew(IntPtr rk, int brokerCount);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_cluster_destroy")]
    internal static partial void ClusterDestroy(IntPtr cluster);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    internal static partial IntPtr ClusterBootstraps(IntPtr cluster);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_topic_create", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int TopicCreate(IntPtr cluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_broker_set_down")]
    internal static partial int BrokerSetDown(IntPtr cluster, int brokerId);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_broker_set_rtt")]
    internal static partial int BrokerSetRtt(IntPtr cluster, int brokerId, int rttMs);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_broker_set_up")]
    internal static partial int BrokerSetUp(IntPtr cluster, int brokerId);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_group_initial_rebalance_delay_ms")]
    internal static partial void GroupInitialRebalanceDelayMs(IntPtr cluster, int delayMs);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_set_group_consumer_session_timeout_ms")]
    internal static partial void GroupConsumerSessionTimeoutMs(IntPtr cluster, int timeoutMs);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_set_group_consumer_heartbeat_interval_ms")]
    internal static partial void GroupConsumerHeartbeatIntervalMs(IntPtr cluster, int intervalMs);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_push_request_errors_array")]
    internal static partial void PushRequestErrorsArray(IntPtr cluster, short apiKey, nuint count, int[] errors);

    [LibraryImport(Library, EntryPoint = "rd_kafka_err2str")]
    internal static partial IntPtr ErrorToString(int error);
}
