namespace InviteStream.Kafka;

/// <summary>How the input's producers map a key to a partition.</summary>
public enum KeyPartitioner
{
    /// <summary>Kafka's default in the Java client, Kafka Streams, ksqlDB and Connect; librdkafka's <c>murmur2_random</c>.</summary>
    Murmur2,

    /// <summary>librdkafka's default (<c>consistent_random</c>): kcat, confluent-kafka-python, -go, -dotnet.</summary>
    Crc32,
}
