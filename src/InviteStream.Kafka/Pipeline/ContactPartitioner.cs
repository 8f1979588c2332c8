using System.IO.Hashing;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// A contact's home partition: where a producer using <see cref="KafkaOptions.KeyPartitioner"/> puts a
/// record keyed by the contactId. Kafka's default (the Java client, Kafka Streams, ksqlDB, Connect) is
/// murmur2; librdkafka-based clients (kcat, confluent-kafka-python/go/.NET) default to CRC32.
/// </summary>
internal sealed class ContactPartitioner(KeyPartitioner partitioner)
{
    public int HomeOf(ReadOnlySpan<byte> key, int partitions) => partitioner switch
    {
        // Java's Utils.toPositive(murmur2(key)) % n.
        KeyPartitioner.Murmur2 => (Murmur2(key) & 0x7fffffff) % partitions,
        _ => (int)(Crc32.HashToUInt32(key) % (uint)partitions),
    };

    /// <summary>Kafka's murmur2 (seed 0x9747b28c), as the Java client and librdkafka's murmur2 partitioner compute it.</summary>
    public static int Murmur2(ReadOnlySpan<byte> data)
    {
        const uint m = 0x5bd1e995;
        const int r = 24;
        var length = data.Length;
        var h = 0x9747b28c ^ (uint)length;
        var whole = length & ~3;
        for (var i = 0; i < whole; i += 4)
        {
            var k = (uint)(data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
            k *= m;
            k ^= k >> r;
            k *= m;
            h *= m;
            h ^= k;
        }

        switch (length & 3)
        {
            case 3:
                h ^= (uint)data[whole + 2] << 16;
                h ^= (uint)data[whole + 1] << 8;
                h ^= data[whole];
                h *= m;
                break;
            case 2:
                h ^= (uint)data[whole + 1] << 8;
                h ^= data[whole];
                h *= m;
                break;
            case 1:
                h ^= data[whole];
                h *= m;
                break;
        }

        h ^= h >> 13;
        h *= m;
        h ^= h >> 15;
        return (int)h;
    }
}
