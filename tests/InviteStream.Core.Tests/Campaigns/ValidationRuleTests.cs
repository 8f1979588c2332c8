using InviteStream.Core.Campaigns;

namespace InviteStream.Core.Tests.Campaigns;

/// <summary>
/// One failing file per validation rule (Campaigns/Invalid/*.json, each the guide's campaign with
/// exactly one defect): the rule is reported with its JSON path and message, and nothing else is.
/// </summary>
[TestFixture]
public sealed class ValidationRuleTests
{
    private static readonly string InvalidDirectory = Path.Combine(AppContext.BaseDirectory, "Campaigns", "Invalid");

    [TestCase("batch-mode", "$.evaluationMode", "delaying invites by 30 to 120 seconds")]
    [TestCase("unknown-evaluation-mode", "$.evaluationMode", "unknown evaluationMode 'instant'")]
    [TestCase("missing-routing-config", "$.actions[0]", "needs a routingConfig with queueId and skillGroups")]
    [TestCase("missing-queue-id", "$.actions[0].routingConfig", "missing queueId")]
    [TestCase("empty-skill-groups", "$.actions[0].routingConfig", "missing or empty skillGroups")]
    [TestCase("missing-throttling", "$", "missing required object 'throttling'")]
    [TestCase("zero-max-invites-per-contact", "$.throttling.maxInvitesPerContact", "must be at least 1 (found 0)")]
    [TestCase("zero-cooldown", "$.throttling.cooldownSeconds", "must be at least 1 (found 0)")]
    [TestCase("zero-max-invites-per-minute", "$.throttling.maxInvitesPerMinute", "must be at least 1 (found 0)")]
    [TestCase("string-value-for-float", "$.filters[0].value", "value \"0.72\" is not of dataType 'float'")]
    [TestCase("float-value-for-integer", "$.filters[1].value", "value 45.5 is not of dataType 'integer'")]
    [TestCase("string-value-for-boolean", "$.filters[2].value", "value \"true\" is not of dataType 'boolean'")]
    [TestCase("unknown-operator", "$.filters[0].operator", "unknown operator 'roughly_equals'; the operators are equals, equal, not_equals")]
    [TestCase("operator-invalid-for-type", "$.filters[2].operator", "operator 'greater_than' cannot compare dataType 'boolean'")]
    [TestCase("unknown-data-type", "$.filters[0].dataType", "unknown dataType 'decimal'")]
    [TestCase("set-operator-without-list", "$.filters[0].value", "value \"en-US\" is not of dataType 'string_list'")]
    [TestCase("missing-filter-value", "$.filters[0]", "missing required field 'value'")]
    [TestCase("empty-filters-enabled", "$.filters", "an enabled campaign with no filters would invite on every event")]
    [TestCase("no-actions", "$.actions", "a campaign needs at least one action")]
    [TestCase("priority-zero", "$.actions[0].priority", "priority must be at least 1")]
    [TestCase("invalid-json", "$", "not valid JSON at line 1, column 33: ")]
    public void Each_rule_reports_its_error_with_file_and_json_path(string file, string path, string message)
    {
        var (campaign, diagnostics) = Read(file);

        Assert.That(campaign, Is.Null, "a campaign with an error is not loaded");
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.That(errors, Has.Count.EqualTo(1), string.Join(Environment.NewLine, diagnostics));
        Assert.Multiple(() =>
        {
            Assert.That(errors[0].Source, Is.EqualTo(file + ".json"));
            Assert.That(errors[0].JsonPath, Is.EqualTo(path));
            Assert.That(errors[0].Message, Does.Contain(message));
            Assert.That(errors[0].ToString(), Does.StartWith($"error: {file}.json {path}: "));
        });
    }

    [TestCase("missing-overflow-queue", "$.actions[0].routingConfig", "no overflowQueueId")]
    [TestCase("unknown-field", "$.colour", "unknown field 'colour' is ignored")]
    public void Each_recommendation_is_a_warning_that_does_not_stop_the_campaign(string file, string path, string message)
    {
        var (campaign, diagnostics) = Read(file);

        Assert.That(campaign, Is.Not.Null);
        Assert.That(diagnostics, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(diagnostics[0].Severity, Is.EqualTo(DiagnosticSeverity.Warning));
            Assert.That(diagnostics[0].JsonPath, Is.EqualTo(path));
            Assert.That(diagnostics[0].Message, Does.Contain(message));
        });
    }

    [Test]
    public void Every_invalid_file_is_covered_by_a_rule_test()
    {
        var files = Directory.EnumerateFiles(InvalidDirectory, "*.json").Select(Path.GetFileNameWithoutExtension);
        var covered = typeof(ValidationRuleTests).GetMethods()
            .SelectMany(m => m.GetCustomAttributes(typeof(TestCaseAttribute), false).Cast<TestCaseAttribute>())
            .Select(t => (string)t.Arguments[0]!);
        Assert.That(files, Is.EquivalentTo(covered));
    }

    [Test]
    public void Several_problems_in_one_file_are_all_reported()
    {
        var json = File.ReadAllText(Path.Combine(InvalidDirectory, "batch-mode.json"))
            .Replace("\"cooldownSeconds\": 86400", "\"cooldownSeconds\": 0", StringComparison.Ordinal)
            .Replace("\"value\": 45,", "\"value\": \"45\",", StringComparison.Ordinal);

        var (_, diagnostics) = CampaignReader.Read(json, "many.json");

        Assert.That(
            diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.JsonPath),
            Is.EquivalentTo(new[] { "$.evaluationMode", "$.throttling.cooldownSeconds", "$.filters[1].value" }));
    }

    [Test]
    public void A_campaign_id_used_twice_is_an_error_naming_both_files()
    {
        var json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Campaigns", "Invalid", "missing-overflow-queue.json"));

        var (campaigns, diagnostics) = CampaignCatalog.Read([("first.json", json), ("second.json", json)]);

        Assert.That(campaigns.Campaigns, Has.Count.EqualTo(1));
        var duplicate = diagnostics.Single(d => d.Severity == DiagnosticSeverity.Error);
        Assert.Multiple(() =>
        {
            Assert.That(duplicate.Source, Is.EqualTo("second.json"));
            Assert.That(duplicate.JsonPath, Is.EqualTo("$.id"));
            Assert.That(duplicate.Message, Does.Contain("already defined in first.json"));
        });
    }

    [Test]
    public void Broken_json_is_placed_at_its_line_and_column_counted_from_one_with_the_lines_text()
    {
        var json = "{\n  \"id\": \"x\",\n  \"name\": \"X\" \"enabled\": true\n}\n";

        var (_, diagnostics) = CampaignReader.Read(json, "broken.json");

        Assert.That(diagnostics.Single().Message, Does.StartWith("not valid JSON at line 3, column 15: ").And.EndWith("the line: \"name\": \"X\" \"enabled\": true"));
    }

    [Test]
    public void A_campaign_id_used_twice_is_reported_even_when_one_of_the_files_has_other_errors()
    {
        var valid = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Campaigns", "Invalid", "missing-overflow-queue.json"));
        var id = CampaignReader.IdOf(valid)!;
        var broken = File.ReadAllText(Path.Combine(InvalidDirectory, "zero-cooldown.json")).Replace("\"zero-cooldown\"", $"\"{id}\"", StringComparison.Ordinal);
        Assume.That(CampaignReader.IdOf(broken), Is.EqualTo(id));

        var (_, diagnostics) = CampaignCatalog.Read([("first.json", valid), ("second.json", broken)]);

        Assert.That(diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => (d.Source, d.JsonPath)),
            Does.Contain(("second.json", "$.id")).And.Contain(("second.json", "$.throttling.cooldownSeconds")), "the duplicate and the file's own error, together");
    }

    private static (Campaign? Campaign, IReadOnlyList<CampaignDiagnostic> Diagnostics) Read(string file) =>
        CampaignReader.Read(File.ReadAllText(Path.Combine(InvalidDirectory, file + ".json")), file + ".json");
}
