using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace InviteStream.Configuration;

/// <summary>
/// Checks of an options class whose messages name the setting as it is written in configuration
/// (<c>Pipeline:MaxInFlightPerPartition must be between 1 and 10000 (was -5)</c>), so an operator
/// can fix the right key without reading code: first every configured value that does not convert
/// to its property's type, then the data annotations.
/// </summary>
internal sealed class SettingsValidator<TOptions>(IConfigurationSection section) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = SettingsConversion.Failures(section, typeof(TOptions)).ToList();
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            failures.AddRange(results.Select(result => Describe(result, options)));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private string Describe(ValidationResult result, TOptions options)
    {
        var member = result.MemberNames.FirstOrDefault() ?? "";
        var setting = $"{section.Path}:{member}";
        var message = (result.ErrorMessage ?? "is invalid")
            .Replace($"The field {member}", setting, StringComparison.Ordinal)
            .Replace($"The {member} field", setting, StringComparison.Ordinal);
        if (!message.StartsWith(setting, StringComparison.Ordinal))
        {
            message = $"{setting}: {message}";
        }

        var property = typeof(TOptions).GetProperty(member, BindingFlags.Public | BindingFlags.Instance);
        return SettingsValidation.WithValue(message, setting, property?.GetValue(options));
    }
}

internal static class SettingsValidation
{
    /// <summary>
    /// Binds the section to the options and validates them with messages naming
    /// <c>Section:Key</c>: values of the wrong type and data annotations, all reported together.
    /// </summary>
    public static OptionsBuilder<TOptions> BindSettings<TOptions>(this OptionsBuilder<TOptions> builder, IConfiguration configuration, string section)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = configuration.GetSection(section);
        builder.Configure(options => SettingsConversion.Bind(settings, options));
        builder.Services.AddSingleton<IOptionsChangeTokenSource<TOptions>>(new ConfigurationChangeTokenSource<TOptions>(builder.Name, settings));
        builder.Services.AddSingleton<IValidateOptions<TOptions>>(new SettingsValidator<TOptions>(settings));
        return builder;
    }

    /// <summary><paramref name="message"/> with the rejected value, unless the setting holds a secret.</summary>
    public static string WithValue(string message, string setting, object? value)
    {
        var secret = setting.Contains("Secret", StringComparison.OrdinalIgnoreCase) || setting.Contains("Password", StringComparison.OrdinalIgnoreCase);
        return value is not (null or "") && !secret
            ? string.Create(CultureInfo.InvariantCulture, $"{message.TrimEnd('.')} (was {value}).")
            : message;
    }
}
