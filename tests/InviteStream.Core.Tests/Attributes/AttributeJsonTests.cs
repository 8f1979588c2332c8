using System.Text.Json;
using InviteStream.Core.Attributes;

namespace InviteStream.Core.Tests.Attributes;

[TestFixture]
public sealed class AttributeJsonTests
{
    [TestCase("45", AttributeKind.Integer)]
    [TestCase("45.0", AttributeKind.Float)]
    [TestCase("0.87", AttributeKind.Float)]
    [TestCase("4.5e1", AttributeKind.Float)]
    [TestCase("\"0.87\"", AttributeKind.String)]
    [TestCase("true", AttributeKind.Boolean)]
    [TestCase("[\"a\",\"b\"]", AttributeKind.StringList)]
    public void Values_keep_their_native_json_type(string json, AttributeKind expected)
    {
        using var document = JsonDocument.Parse(json);
        Assert.That(AttributeJson.TryRead(document.RootElement, out var value, out var error), Is.True, error);
        Assert.That(value.Kind, Is.EqualTo(expected));
    }

    [TestCase("null")]
    [TestCase("{\"a\":1}")]
    [TestCase("[\"a\",1]")]
    public void Unsupported_values_are_refused_with_a_reason(string json)
    {
        using var document = JsonDocument.Parse(json);
        Assert.That(AttributeJson.TryRead(document.RootElement, out _, out var error), Is.False);
        Assert.That(error, Is.Not.Empty);
    }

    public static IEnumerable<TestCaseData> WrittenLiterals()
    {
        yield return new TestCaseData(AttributeValue.FromInteger(52), "52");
        yield return new TestCaseData(AttributeValue.FromFloat(0.87), "0.87");
        yield return new TestCaseData(AttributeValue.FromFloat(45.0), "45.0").SetName("A whole float keeps its fraction, so it is not read as an integer");
        yield return new TestCaseData(AttributeValue.FromFloat(-3), "-3.0");
        yield return new TestCaseData(AttributeValue.FromFloat(1e21), "1E+21");
        yield return new TestCaseData(AttributeValue.FromBoolean(true), "true");
        yield return new TestCaseData(AttributeValue.FromString("0.87"), "\"0.87\"");
        yield return new TestCaseData(AttributeValue.FromStringList(["a", "b"]), "[\"a\",\"b\"]");
    }

    [TestCaseSource(nameof(WrittenLiterals))]
    public void Values_are_written_as_their_native_json_literal(AttributeValue value, string expected)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            AttributeJson.Write(writer, value);
        }

        Assert.That(System.Text.Encoding.UTF8.GetString(buffer.ToArray()), Is.EqualTo(expected));
    }

    [Test]
    public void Written_values_read_back_with_the_same_type_and_value()
    {
        AttributeValue[] values = [AttributeValue.FromInteger(52), AttributeValue.FromFloat(0.87), AttributeValue.FromFloat(45), AttributeValue.FromFloat(1e21), AttributeValue.FromBoolean(true), AttributeValue.FromString("en-US"), AttributeValue.FromStringList(["a", "b"])];
        foreach (var value in values)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                AttributeJson.Write(writer, value);
            }

            using var document = JsonDocument.Parse(buffer.ToArray());
            Assert.That(AttributeJson.TryRead(document.RootElement, out var read, out _), Is.True);
            Assert.That(read, Is.EqualTo(value));
        }
    }
}
