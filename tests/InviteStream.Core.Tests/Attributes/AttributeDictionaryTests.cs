using InviteStream.Core.Attributes;

namespace InviteStream.Core.Tests.Attributes;

[TestFixture]
public sealed class AttributeDictionaryTests
{
    [Test]
    public void A_repeated_name_keeps_its_last_value_as_in_a_json_object_and_lookups_compare_ordinally()
    {
        var attributes = AttributeDictionary.Of(
        [
            new("page", AttributeValue.FromString("/a")),
            new("dwell", AttributeValue.FromInteger(5)),
            new("page", AttributeValue.FromString("/b")),
        ]);

        Assert.Multiple(() =>
        {
            Assert.That(attributes, Has.Count.EqualTo(2));
            Assert.That(attributes["page"], Is.EqualTo(AttributeValue.FromString("/b")));
            Assert.That(attributes.TryGetValue(new string("dwell".ToCharArray()), out var dwell) && dwell == AttributeValue.FromInteger(5), Is.True, "another string with the same text");
            Assert.That(attributes.ContainsKey("Page"), Is.False);
            Assert.That(attributes.Keys, Is.EqualTo(new[] { "page", "dwell" }));
        });
    }

    [Test]
    public void Many_attributes_are_kept_in_a_dictionary_with_the_same_answers()
    {
        var many = Enumerable.Range(0, AttributeDictionary.MaxScanned + 5)
            .Select(i => new KeyValuePair<string, AttributeValue>($"a{i % (AttributeDictionary.MaxScanned + 2)}", AttributeValue.FromInteger(i)))
            .ToList();
        var attributes = AttributeDictionary.Of(many);

        Assert.Multiple(() =>
        {
            Assert.That(attributes, Is.Not.InstanceOf<AttributeDictionary>());
            Assert.That(attributes, Has.Count.EqualTo(AttributeDictionary.MaxScanned + 2));
            Assert.That(attributes["a0"], Is.EqualTo(AttributeValue.FromInteger(AttributeDictionary.MaxScanned + 2)), "the last of a repeated name");
        });
    }
}
