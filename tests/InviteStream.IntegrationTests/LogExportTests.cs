using System.Diagnostics;
using InviteStream.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;

namespace InviteStream.IntegrationTests;

/// <summary>Logs go through OpenTelemetry as the host registers it, next to the console logger.</summary>
[TestFixture]
public sealed partial class LogExportTests
{
    [Test]
    public void A_line_logged_inside_a_span_is_exported_with_its_formatted_message_and_the_spans_trace_id()
    {
        var exported = new List<LogRecord>();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.AddOperations();
        builder.Services.ConfigureOpenTelemetryLoggerProvider(logs => logs.AddInMemoryExporter(exported));
        using var services = builder.Services.BuildServiceProvider();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("InviteStream.Tests");

        ActivityTraceId traceId;
        using (var span = new Activity("decide").Start())
        {
            traceId = span.TraceId;
            LogDecided(logger, "e1");
        }

        var record = exported.Single(r => r.CategoryName == "InviteStream.Tests");
        Assert.Multiple(() =>
        {
            Assert.That(record.FormattedMessage, Is.EqualTo("Decided e1"));
            Assert.That(record.LogLevel, Is.EqualTo(LogLevel.Information));
            Assert.That(record.TraceId, Is.EqualTo(traceId));
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Decided {EventId}")]
    private static partial void LogDecided(ILogger logger, string eventId);
}
