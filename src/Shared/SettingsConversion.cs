using System.Collections;
using System.ComponentModel;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace InviteStream.Configuration;

/// <summary>
/// Which configured values of a section do not convert to their property's type, found the way the
/// configuration binder converts them (the type's <see cref="TypeConverter"/>, invariant culture,
/// empty meaning null only for nullable values), and a binding that leaves exactly those out.
/// The binder itself throws at the first such value, so a start with several would name one.
/// </summary>
internal static class SettingsConversion
{
    /// <summary>Every value under <paramref name="section"/> that <paramref name="type"/>'s properties cannot take, as messages naming <c>Section:Key</c>.</summary>
    public static IEnumerable<string> Failures(IConfigurationSection section, Type type) =>
        Collect(section, type).Select(failure => failure.Message);

    /// <summary>Binds <paramref name="section"/> to <paramref name="options"/>; values that do not convert keep their defaults (and are reported by <see cref="Failures"/>).</summary>
    public static void Bind(IConfigurationSection section, object options)
    {
        var failed = Collect(section, options.GetType()).Select(failure => failure.Path).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (failed.Count == 0)
        {
            section.Bind(options);
            return;
        }

        // Left out rather than set to null: the binder turns a null value into the type's default (0, false), not the option's.
        var convertible = section.AsEnumerable().Where(pair => pair.Value is not null && !failed.Contains(pair.Key));
        new ConfigurationBuilder().AddInMemoryCollection(convertible).Build().GetSection(section.Path).Bind(options);
    }

    /// <summary>A new <typeparamref name="TOptions"/> bound from <paramref name="section"/> as <see cref="Bind"/> does.</summary>
    public static TOptions Read<TOptions>(IConfigurationSection section)
        where TOptions : class, new()
    {
        var options = new TOptions();
        Bind(section, options);
        return options;
    }

    private static IEnumerable<(string Path, string Message)> Collect(IConfigurationSection section, Type type)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0)
            {
                continue;
            }

            var child = section.GetSection(property.Name);
            var target = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var converter = TypeDescriptor.GetConverter(target);
            if (converter.CanConvertFrom(typeof(string)))
            {
                // The binder converts a value even for a property it cannot set, and fails there too.
                if (child.Value is { } value && !(value.Length == 0 && target != property.PropertyType) && !Converts(converter, value))
                {
                    yield return (child.Path, SettingsValidation.WithValue($"{child.Path} must be {Expected(target)}", child.Path, value));
                }
            }
            else if (!typeof(IEnumerable).IsAssignableFrom(target) && child.GetChildren().Any())
            {
                // Collection items are skipped by the binder when they do not convert; only nested objects can fail.
                foreach (var failure in Collect(child, target))
                {
                    yield return failure;
                }
            }
        }
    }

    private static bool Converts(TypeConverter converter, string value)
    {
        try
        {
            _ = converter.ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException or OverflowException or InvalidCastException)
        {
            return false;
        }
    }

    private static string Expected(Type type) => type switch
    {
        _ when type.IsEnum => $"one of {string.Join(", ", Enum.GetNames(type))}",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(TimeSpan) => "a duration such as 00:00:30",
        _ when type == typeof(Uri) => "a URL",
        _ when type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte) => "a whole number",
        _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "a number",
        _ => $"a {type.Name}",
    };
}
