using System.Runtime.InteropServices;
using System.Text;

namespace InviteStream.Kafka.Embedded;

/// <summary>
/// An in-process Kafka cluster speaking the real protocol on loopback: librdkafka's mock cluster.
/// For development and tests only. Limits: topics must be created through <see cref="CreateTopic"/>
/// (the Admin API's CreateTopics times out against it), and each partition log is trimmed to about
/// 5 MB, so old records vanish under heavy load.
/// </summary>
public sealed class EmbeddedKafkaCluster : IDisposable
{
    private readonly Lock _lock = new();
    private IntPtr _client;
    private IntPtr _cluster;

    private EmbeddedKafkaCluster(IntPtr client, IntPtr cluster, int brokerCount)
    {
        _client = client;
        _cluster = cluster;
        BrokerCount = brokerCount;
        BootstrapServers = Marshal.PtrToStringUTF8(LibRdKafkaMock.ClusterBootstraps(cluster))
            ?? throw new InvalidOperationException("The mock cluster reported no bootstrap servers.");
    }

    /// <summary>After this long without a heartbeat a KIP-848 group member is removed and its partitions reassigned.</summary>
    public const int ConsumerSessionTimeoutMs = 6_000;

    public string BootstrapServers { get; }

    public int BrokerCount { get; }

    /// <summary>Starts a cluster of <paramref name="brokerCount"/> brokers listening on loopback.</summary>
    public static EmbeddedKafkaCluster Start(int brokerCount = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerCount, 1);
        var errors = new byte[512];
        var conf = LibRdKafkaMock.ConfNew();
        // The mock cluster is owned by a client handle; this one never sends anything itself.
        if (LibRdKafkaMock.ConfSet(conf, "log_level", "3", errors, (nuint)errors.Length) != 0)
        {
            LibRdKafkaMock.ConfDestroy(conf);
            throw new InvalidOperationException(Text(errors));
        }

        var client = LibRdKafkaMock.New(LibRdKafkaMock.ProducerType, conf, errors, (nuint)errors.Length);
        if (client == IntPtr.Zero)
        {
            LibRdKafkaMock.ConfDestroy(conf);
            throw new InvalidOperationException($"Could not create the librdkafka handle for the mock cluster: {Text(errors)}");
        }

        var cluster = LibRdKafkaMock.ClusterNew(client, brokerCount);
        if (cluster == IntPtr.Zero)
        {
            LibRdKafkaMock.Destroy(client);
            throw new InvalidOperationException("librdkafka could not create the mock cluster.");
        }

        // Classic consumer groups would otherwise wait 3 s before their first assignment.
        LibRdKafkaMock.GroupInitialRebalanceDelayMs(cluster, 0);

        // KIP-848 groups: the broker frees a crashed member's partitions after this session timeout
        // (a real broker's group.consumer.session.timeout.ms, 45 s by default); the worker's
        // classic-protocol members use the same 6 s (session.timeout.ms).
        LibRdKafkaMock.GroupConsumerSessionTimeoutMs(cluster, ConsumerSessionTimeoutMs);
        LibRdKafkaMock.GroupConsumerHeartbeatIntervalMs(cluster, 1_000);
        return new EmbeddedKafkaCluster(client, cluster, brokerCount);
    }

    public void CreateTopic(string name, int partitions, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Check(LibRdKafkaMock.TopicCreate(Handle, name, partitions, Math.Min(replicationFactor, BrokerCount)), $"create topic {name}");
    }

    public void SetBrokerDown(int brokerId) => Check(LibRdKafkaMock.BrokerSetDown(Handle, brokerId), $"take broker {brokerId} down");

    public void SetBrokerUp(int brokerId) => Check(LibRdKafkaMock.BrokerSetUp(Handle, brokerId), $"bring broker {brokerId} up");

    /// <summary>Delays every broker's responses by <paramref name="rttMs"/> (0 for none again).</summary>
    public void SetRoundTripDelay(int rttMs)
    {
        for (var brokerId = 1; brokerId <= BrokerCount; brokerId++)
        {
            Check(LibRdKafkaMock.BrokerSetRtt(Handle, brokerId, rttMs), $"set broker {brokerId}'s round-trip delay");
        }
    }

    /// <summary>Makes the next requests of a Kafka API (e.g. 0 = Produce, 8 = OffsetCommit) fail with these error codes.</summary>
    public void PushRequestErrors(short apiKey, params int[] errorCodes)
    {
        ArgumentNullException.ThrowIfNull(errorCodes);
        LibRdKafkaMock.PushRequestErrorsArray(Handle, apiKey, (nuint)errorCodes.Length, errorCodes);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_cluster != IntPtr.Zero)
            {
                LibRdKafkaMock.ClusterDestroy(_cluster);
                _cluster = IntPtr.Zero;
            }

            if (_client != IntPtr.Zero)
            {
                LibRdKafkaMock.Destroy(_client);
                _client = IntPtr.Zero;
            }
        }
    }

    private IntPtr Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_cluster == IntPtr.Zero, this);
            return _cluster;
        }
    }

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new InvalidOperationException(
                $"Embedded Kafka could not {what}: {Marshal.PtrToStringUTF8(LibRdKafkaMock.ErrorToString(error))}");
        }
    }

    private static string Text(byte[] buffer) => Encoding.UTF8.GetString(buffer).TrimEnd('\0');
}
