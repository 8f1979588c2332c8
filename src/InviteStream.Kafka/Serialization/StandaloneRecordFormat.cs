using Confluent.SchemaRegistry;

namespace InviteStream.Kafka.Serialization;

/// <summary>
/// The configured record format for commands that run without the worker's services (<c>replay</c>,
/// <c>report</c>): Avro with a Schema Registry client of its own (never registering schemas),
/// disposed with it, or JSON.
/// </summary>
internal sealed class StandaloneRecordFormat : IDisposable
{
    private readonly CachedSchemaRegistryClient? _registry;

    public StandaloneRecordFormat(SerializationOptions serialization)
    {
        ArgumentNullException.ThrowIfNull(serialization);
        if (serialization.Format == RecordFormat.Avro)
        {
            _registry = new CachedSchemaRegistryClient(serialization.RegistryConfig());
            Format = new AvroRecordFormat(_registry, autoRegisterSchemas: false);
        }
        else
        {
            Format = new JsonRecordFormat();
        }
    }

    public IRecordFormat Format { get; }

    public void Dispose() => _registry?.Dispose();
}
