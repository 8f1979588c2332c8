using System.ComponentModel.DataAnnotations;
using Confluent.SchemaRegistry;

namespace InviteStream.Kafka;

/// <summary>Record formats of the input and outcome topics (section <c>Serialization</c>).</summary>
public sealed class SerializationOptions
{
    public const string SectionName = "Serialization";

    /// <summary><c>Json</c> (default) or <c>Avro</c> through Confluent Schema Registry, for events and outcomes alike.</summary>
    public RecordFormat Format { get; set; } = RecordFormat.Json;

    /// <summary>Schema Registry base URL; required when <see cref="Format"/> is <c>Avro</c>.</summary>
    [Url]
    public string? SchemaRegistryUrl { get; set; }

    /// <summary>Register the outcome schema on first use (turn off where schemas are registered by a pipeline).</summary>
    public bool AutoRegisterSchemas { get; set; } = true;

    /// <summary>
    /// Extra Schema Registry client properties passed through as they are, e.g.
    /// <c>Serialization__SchemaRegistry__schema.registry.basic.auth.user.info=user:secret</c>.
    /// </summary>
    public IDictionary<string, string> SchemaRegistry { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The registry client's configuration: the pass-through properties, then the URL.</summary>
    public SchemaRegistryConfig RegistryConfig()
    {
        var config = new SchemaRegistryConfig();
        foreach (var (key, value) in SchemaRegistry)
        {
            config.Set(key, value);
        }

        if (!string.IsNullOrWhiteSpace(SchemaRegistryUrl))
        {
            config.Url = SchemaRegistryUrl;
        }

        return config;
    }
}

public enum RecordFormat
{
    Json,
    Avro,
}
