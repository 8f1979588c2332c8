using Microsoft.Extensions.Logging;

namespace InviteStream.Kafka.Tests;

/// <summary>A logger that keeps every message it is given, formatted, with its level.</summary>
internal sealed class CapturingLogger<T> : ILogger<T>
{
    private readonly List<(LogLevel Level, string Text)> _entries = [];

    /// <summary>Every message, in the order logged.</summary>
    public List<string> Messages => [.. _entries.Select(e => e.Text)];

    /// <summary>The messages logged as warnings.</summary>
    public List<string> Warnings => [.. _entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Text)];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Add((logLevel, formatter(state, exception)));
}
