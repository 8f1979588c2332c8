using System.Net;
using Confluent.SchemaRegistry;

namespace InviteStream.Testing;

/// <summary>
/// A Schema Registry held in memory for tests, behaving like the real one where the Confluent
/// serializers touch it: one id per distinct schema text, versions per subject, 404 (40403) for an
/// unknown id. Operations the serializers never call are not supported.
/// </summary>
internal sealed class InMemorySchemaRegistry : ISchemaRegistryClient
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _idsBySchema = new(StringComparer.Ordinal);
    private readonly Dictionary<int, Schema> _schemasById = [];
    private readonly Dictionary<string, List<int>> _versionsBySubject = new(StringComparer.Ordinal);

    public IEnumerable<KeyValuePair<string, string>> Config { get; } = [];

    public IAuthenticationHeaderValueProvider? AuthHeaderProvider => null;

    public IWebProxy? Proxy => null;

    public int MaxCachedSchemas => 1000;

    public int RegisterCalls { get; private set; }

    public Task<int> RegisterSchemaAsync(string subject, string avroSchema, bool normalize = false) =>
        RegisterSchemaAsync(subject, new Schema(avroSchema, SchemaType.Avro), normalize);

    public async Task<int> RegisterSchemaAsync(string subject, Schema schema, bool normalize = false) =>
        (await RegisterSchemaWithResponseAsync(subject, schema, normalize)).Id;

    public Task<RegisteredSchema> RegisterSchemaWithResponseAsync(string subject, Schema schema, bool normalize = false)
    {
        lock (_lock)
        {
            RegisterCalls++;
            if (!_idsBySchema.TryGetValue(schema.SchemaString, out var id))
            {
                id = _idsBySchema.Count + 1;
                _idsBySchema[schema.SchemaString] = id;
                _schemasById[id] = schema;
            }

            var versions = _versionsBySubject.TryGetValue(subject, out var existing) ? existing : _versionsBySubject[subject] = [];
            if (!versions.Contains(id))
            {
                versions.Add(id);
            }

            return Task.FromResult(Registered(subject, id));
        }
    }

    public Task<int> GetSchemaIdAsync(string subject, string avroSchema, bool normalize = false) =>
        GetSchemaIdAsync(subject, new Schema(avroSchema, SchemaType.Avro), normalize);

    public async Task<int> GetSchemaIdAsync(string subject, Schema schema, bool normalize = false) =>
        (await LookupSchemaAsync(subject, schema, ignoreDeletedSchemas: true, normalize)).Id;

    public Task<Schema> GetSchemaAsync(int id, string? format = null)
    {
        lock (_lock)
        {
            return _schemasById.TryGetValue(id, out var schema) ? Task.FromResult(schema) : throw NotFound($"Schema {id} not found");
        }
    }

    public Task<Schema> GetSchemaBySubjectAndIdAsync(string subject, int id, string? format = null) => GetSchemaAsync(id, format);

    public Task<RegisteredSchema> LookupSchemaAsync(string subject, Schema schema, bool ignoreDeletedSchemas, bool normalize = false)
    {
        lock (_lock)
        {
            return _idsBySchema.TryGetValue(schema.SchemaString, out var id)
                && _versionsBySubject.TryGetValue(subject, out var versions) && versions.Contains(id)
                ? Task.FromResult(Registered(subject, id))
                : throw NotFound($"Schema not found under subject {subject}");
        }
    }

    public Task<RegisteredSchema> GetRegisteredSchemaAsync(string subject, int version, bool ignoreDeletedSchemas = true)
    {
        lock (_lock)
        {
            return _versionsBySubject.TryGetValue(subject, out var versions) && version >= 1 && version <= versions.Count
                ? Task.FromResult(Registered(subject, versions[version - 1]))
                : throw NotFound($"Version {version} of {subject} not found");
        }
    }

    public async Task<string> GetSchemaAsync(string subject, int version) =>
        (await GetRegisteredSchemaAsync(subject, version)).SchemaString;

    public Task<RegisteredSchema> GetLatestSchemaAsync(string subject)
    {
        lock (_lock)
        {
            return _versionsBySubject.TryGetValue(subject, out var versions)
                ? GetRegisteredSchemaAsync(subject, versions.Count)
                : throw NotFound($"Subject {subject} not found");
        }
    }

    public Task<List<string>> GetAllSubjectsAsync()
    {
        lock (_lock)
        {
            return Task.FromResult(_versionsBySubject.Keys.ToList());
        }
    }

    public Task<List<int>> GetSubjectVersionsAsync(string subject)
    {
        lock (_lock)
        {
            return _versionsBySubject.TryGetValue(subject, out var versions)
                ? Task.FromResult(Enumerable.Range(1, versions.Count).ToList())
                : throw NotFound($"Subject {subject} not found");
        }
    }

    public string ConstructKeySubjectName(string topic, string? recordType = null) => $"{topic}-key";

    public string ConstructValueSubjectName(string topic, string? recordType = null) => $"{topic}-value";

    public Task<RegisteredSchema> GetLatestWithMetadataAsync(string subject, IDictionary<string, string> metadata, bool ignoreDeletedSchemas) =>
        throw new NotSupportedException();

    public Task<Schema> GetSchemaByGuidAsync(string guid, string? format = null) => throw new NotSupportedException();

    public Task<bool> IsCompatibleAsync(string subject, string avroSchema) => throw new NotSupportedException();

    public Task<bool> IsCompatibleAsync(string subject, Schema schema) => throw new NotSupportedException();

    public Task<Compatibility> GetCompatibilityAsync(string? subject = null) => throw new NotSupportedException();

    public Task<Compatibility> UpdateCompatibilityAsync(Compatibility compatibility, string? subject = null) => throw new NotSupportedException();

    // No topic is ever associated with a subject here, so the serializers fall back to <topic>-value.
    public Task<List<Association>> GetAssociationsByResourceNameAsync(
        string resourceName, string resourceNamespace, string resourceType, List<string> associationTypes, string lifecycle, int offset, int limit) =>
        Task.FromResult(new List<Association>());

    public Task<AssociationResponse> CreateAssociationAsync(AssociationCreateOrUpdateRequest request) => throw new NotSupportedException();

    public Task DeleteAssociationsAsync(string resourceId, string resourceType, List<string> associationTypes, bool cascadeLifecycle) =>
        throw new NotSupportedException();

    public void ClearLatestCaches()
    {
    }

    public void ClearCaches()
    {
    }

    public void Dispose()
    {
    }

    private RegisteredSchema Registered(string subject, int id) =>
        new(subject, _versionsBySubject[subject].IndexOf(id) + 1, id, _schemasById[id].SchemaString, SchemaType.Avro, []);

    private static SchemaRegistryException NotFound(string message) => new(message, HttpStatusCode.NotFound, 40403);
}
