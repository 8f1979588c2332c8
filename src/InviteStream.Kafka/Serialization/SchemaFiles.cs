namespace InviteStream.Kafka.Serialization;

/// <summary>The files of <c>schemas/</c>, embedded in this assembly so the contract has one source.</summary>
internal static class SchemaFiles
{
    public static string Read(string fileName)
    {
        using var stream = typeof(SchemaFiles).Assembly.GetManifestResourceStream(fileName)
            ?? throw new InvalidOperationException($"Schema {fileName} is not embedded in {typeof(SchemaFiles).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
