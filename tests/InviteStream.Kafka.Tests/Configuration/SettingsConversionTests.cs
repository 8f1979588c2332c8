using InviteStream.Configuration;
using Microsoft.Extensions.Configuration;

namespace InviteStream.Kafka.Tests.Configuration;

[TestFixture]
public sealed class SettingsConversionTests
{
    private static IConfigurationSection Section(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>($"Test:{v.Key}", v.Value)))
            .Build()
            .GetSection("Test");

    [Test]
    public void Every_value_of_the_wrong_type_is_named_with_its_setting_and_value()
    {
        var failures = SettingsConversion.Failures(
            Section(("Count", "abc"), ("Ratio", "half"), ("Wait", "soon"), ("Protocol", "Bogus"), ("On", "maybe"), ("Nested:Count", "x")),
            typeof(TestSettings));

        Assert.That(failures, Is.EqualTo(new[]
        {
            "Test:Count must be a whole number (was abc).",
            "Test:Ratio must be a number (was half).",
            "Test:Wait must be a duration such as 00:00:30 (was soon).",
            "Test:Protocol must be one of Classic, Consumer (was Bogus).",
            "Test:On must be true or false (was maybe).",
            "Test:Nested:Count must be a whole number (was x).",
        }));
    }

    [Test]
    public void The_value_of_a_secret_is_never_printed()
    {
        var failures = SettingsConversion.Failures(Section(("ClientSecretLifetime", "hunter2"), ("PasswordLength", "hunter2")), typeof(TestSettings));

        Assert.That(failures, Is.EqualTo(new[]
        {
            "Test:ClientSecretLifetime must be a duration such as 00:00:30",
            "Test:PasswordLength must be a whole number",
        }));
    }

    [Test]
    public void Empty_is_null_for_a_nullable_value_and_wrong_for_any_other()
    {
        var failures = SettingsConversion.Failures(Section(("Optional", ""), ("Address", ""), ("Count", "")), typeof(TestSettings));

        Assert.That(failures, Is.EqualTo(new[] { "Test:Count must be a whole number" }));
    }

    [Test]
    public void Binding_keeps_the_default_of_a_value_that_does_not_convert_and_binds_the_others()
    {
        var settings = new TestSettings();

        SettingsConversion.Bind(Section(("Count", "abc"), ("Ratio", "0.25"), ("Names:0", "a"), ("Nested:Count", "x"), ("Nested:Name", "inner")), settings);

        Assert.Multiple(() =>
        {
            Assert.That(settings.Count, Is.EqualTo(7));
            Assert.That(settings.Ratio, Is.EqualTo(0.25));
            Assert.That(settings.Names, Is.EqualTo(new[] { "a" }));
            Assert.That(settings.Nested.Count, Is.EqualTo(7));
            Assert.That(settings.Nested.Name, Is.EqualTo("inner"));
        });
    }

    public sealed class TestSettings
    {
        public int Count { get; set; } = 7;

        public double Ratio { get; set; } = 1.0;

        public TimeSpan Wait { get; set; }

        public Confluent.Kafka.GroupProtocol Protocol { get; set; }

        public bool On { get; set; }

        public int? Optional { get; set; }

        public Uri? Address { get; set; }

        public TimeSpan ClientSecretLifetime { get; set; }

        public int PasswordLength { get; set; }

        public IList<string> Names { get; } = [];

        public NestedSettings Nested { get; set; } = new();
    }

    public sealed class NestedSettings
    {
        public int Count { get; set; } = 7;

        public string Name { get; set; } = "";
    }
}
