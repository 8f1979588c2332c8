using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace InviteStream;

/// <summary>
/// Every setting checked before anything starts. The components are registered on a throw-away
/// builder over the same configuration, with what the embedded stand-ins will fill in as
/// placeholders, and every options class is validated there: values of the wrong type, ranges,
/// missing settings and cross-field rules, all failures at once.
/// </summary>
internal static class SettingsCheck
{
    public static List<string> Failures(
        IConfiguration configuration, IReadOnlyDictionary<string, string?> placeholders, Action<IHostApplicationBuilder> register)
    {
        ArgumentNullException.ThrowIfNull(register);
        using var settings = new ConfigurationManager();
        settings.AddConfiguration(configuration);
        settings.AddInMemoryCollection(placeholders);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Configuration = settings });
        register(builder);
        using var services = builder.Services.BuildServiceProvider();
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
            return [];
        }
        catch (Exception ex) when (Of(ex) is { Count: > 0 } failures)
        {
            return failures;
        }
    }

    /// <summary>Prints one <c>Invalid configuration: ...</c> line per failure; true when there is none.</summary>
    public static bool Passes(IReadOnlyList<string> failures, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(failures);
        ArgumentNullException.ThrowIfNull(error);
        foreach (var failure in failures)
        {
            error.WriteLine($"Invalid configuration: {failure}");
        }

        return failures.Count == 0;
    }

    /// <summary>Every failed check of every options class in <paramref name="exception"/>, and a value the binder could not convert.</summary>
    public static List<string> Of(Exception exception) => exception switch
    {
        OptionsValidationException validation => [.. validation.Failures],
        AggregateException aggregate => [.. aggregate.InnerExceptions.SelectMany(Of)],
        // Only if a conversion ever escapes SettingsConversion: its message names the setting too.
        InvalidOperationException conversion when conversion.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) =>
            [conversion.Message],
        _ => [],
    };
}
