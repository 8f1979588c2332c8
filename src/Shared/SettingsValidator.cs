using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace InviteStream.Configuration;

/// <summary>
/// Data-annotation checks of an options class whose messages name the setting as it is written in
/// configuration (<c>Pipeline:MaxInFlightPerPartition must be between 1 and 10000 (was -5)</c>),
/// so an operator can fix the right key without reading code.
/// </summary>
internal sealed class SettingsValidator<TOptions>(string section) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            return ValidateOptionsResult.Success;
        }

        return ValidateOptionsResult.Fail(results.Select(result => Describe(result, options)));
    }

    private string Describe(ValidationResult result, TOptions options)
    {
        var member = result.MemberNames.FirstOrDefault() ?? "";
        var setting = $"{section}:{member}";
        var message = (result.ErrorMessage ?? "is invalid")
            .Replace($"The field {member}", setting, StringComparison.Ordinal)
            .Replace($"The {member} field", setting, StringComparison.Ordinal);
        if (!message.StartsWith(setting, StringComparison.Ordinal))
        {
            message = $"{setting}: {message}";
        }

        var property = typeof(TOptions).GetProperty(member, BindingFlags.Public | BindingFlags.Instance);
        var secret = member.Contains("Secret", StringComparison.OrdinalIgnoreCase) || member.Contains("Password", StringComparison.OrdinalIgnoreCase);
        return property?.GetValue(options) is { } value && !secret
            ? string.Create(CultureInfo.InvariantCulture, $"{message.TrimEnd('.')} (was {value}).")
            : message;
    }
}

internal static class SettingsValidation
{
    /// <summary>Validates the bound section's data annotations at start, with messages naming <c>Section:Key</c>.</summary>
    public static OptionsBuilder<TOptions> ValidateSettings<TOptions>(this OptionsBuilder<TOptions> builder, string section)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IValidateOptions<TOptions>>(new SettingsValidator<TOptions>(section));
        return builder;
    }
}
