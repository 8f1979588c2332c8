using System.Text.RegularExpressions;
using InviteStream.Core.Campaigns;
using YamlDotNet.RepresentationModel;

namespace InviteStream.IntegrationTests;

/// <summary>
/// Helm is not installable here, so the chart is checked as far as YAML allows: every file parses
/// once the template actions are taken out, every <c>.Values.x.y</c> a template reads is defined,
/// and the campaign files the chart ships are valid campaigns.
/// </summary>
[TestFixture]
public sealed partial class HelmChartTests
{
    private static readonly string Chart = Repository.PathOf("helm", "invitestream");

    [Test]
    public void Chart_and_values_parse()
    {
        var chart = Load(File.ReadAllText(Path.Combine(Chart, "Chart.yaml")));
        Assert.That(Scalar(chart, "apiVersion"), Is.EqualTo("v2"));
        Assert.That(Scalar(chart, "name"), Is.EqualTo("invitestream"));
        Assert.That(Scalar(chart, "version"), Is.Not.Empty);
        Assert.That(Values().Children, Is.Not.Empty);
    }

    [TestCaseSource(nameof(Templates))]
    public void Each_template_is_YAML_with_a_kind_once_its_actions_are_stripped(string template)
    {
        var yaml = StripActions(File.ReadAllText(Path.Combine(Chart, "templates", template)));
        if (string.IsNullOrWhiteSpace(yaml))
        {
            Assert.Fail($"{template} is empty without its actions");
        }

        var document = Load(yaml);
        Assert.That(Scalar(document, "apiVersion"), Is.Not.Empty, template);
        Assert.That(Scalar(document, "kind"), Is.Not.Empty, template);
    }

    [TestCaseSource(nameof(Templates))]
    public void Every_value_a_template_reads_is_defined_in_values_yaml(string template)
    {
        var values = Values();
        var used = ValuesReference().Matches(File.ReadAllText(Path.Combine(Chart, "templates", template))).Select(m => m.Groups[1].Value).Distinct().ToList();
        var missing = used.Where(path => !Defined(values, path.Split('.'))).ToList();

        Assert.That(missing, Is.Empty, $"{template} reads values that values.yaml does not define");
    }

    [TestCase("dashboards/invitestream.json", "deploy/grafana/invitestream.json")]
    [TestCase("rules/invitestream-rules.yaml", "deploy/prometheus/invitestream-rules.yaml")]
    public void The_chart_ships_the_same_dashboard_and_alert_rules_as_deploy(string inChart, string inDeploy)
    {
        Assert.That(File.ReadAllText(Path.Combine(Chart, inChart)), Is.EqualTo(File.ReadAllText(Repository.PathOf(inDeploy.Split('/')))), $"copy {inDeploy} to the chart's {inChart}");
        var template = File.ReadAllText(Path.Combine(Chart, "templates", inChart.StartsWith("dashboards", StringComparison.Ordinal) ? "grafana-dashboard.yaml" : "prometheusrule.yaml"));
        Assert.That(template, Does.Contain($".Files.Get \"{inChart}\""));
    }

    [Test]
    public void The_dashboard_configmap_carries_the_grafana_sidecar_label_and_both_are_off_by_default()
    {
        var values = Values();
        Assert.Multiple(() =>
        {
            Assert.That(Scalar(Map(Map(values, "grafana"), "dashboard"), "enabled"), Is.EqualTo("false"));
            Assert.That(Scalar(Map(Map(Map(values, "grafana"), "dashboard"), "labels"), "grafana_dashboard"), Is.EqualTo("1"));
            Assert.That(Scalar(Map(values, "prometheusRule"), "enabled"), Is.EqualTo("false"));
        });
    }

    [Test]
    public void The_deployment_runs_non_root_with_a_read_only_root_filesystem_and_probes_the_health_endpoints()
    {
        var values = Values();
        var deployment = File.ReadAllText(Path.Combine(Chart, "templates", "deployment.yaml"));
        Assert.Multiple(() =>
        {
            Assert.That(Scalar(Map(values, "podSecurityContext"), "runAsNonRoot"), Is.EqualTo("true"));
            Assert.That(Scalar(Map(values, "securityContext"), "readOnlyRootFilesystem"), Is.EqualTo("true"));
            Assert.That(deployment, Does.Contain("path: /healthz").And.Contain("path: /readyz"));
            Assert.That(deployment, Does.Contain("secretKeyRef"), "OAuth credentials come from a Secret");
            Assert.That(Directory.GetFiles(Path.Combine(Chart, "templates")).Select(Path.GetFileName), Is.SupersetOf(new[] { "pdb.yaml", "hpa.yaml", "service.yaml", "configmap.yaml" }));
        });
    }

    [Test]
    public void The_campaigns_the_chart_ships_are_valid()
    {
        var campaigns = (YamlMappingNode)Values().Children[new YamlScalarNode("campaigns")];
        Assert.That(campaigns.Children, Is.Not.Empty);
        foreach (var (file, json) in campaigns.Children)
        {
            var (campaign, diagnostics) = CampaignReader.Read(((YamlScalarNode)json).Value!, ((YamlScalarNode)file).Value!);
            Assert.That(campaign, Is.Not.Null, string.Join("; ", diagnostics));
        }
    }

    [Test]
    public void Compose_file_starts_kafka_in_KRaft_mode_schema_registry_the_simulator_and_two_workers()
    {
        var compose = Load(File.ReadAllText(Repository.PathOf("deploy", "docker-compose.yml")));
        var services = Map(compose, "services");
        var worker = Map(services, "worker");
        var environment = Map(worker, "environment");
        Assert.Multiple(() =>
        {
            Assert.That(services.Children.Keys.Select(k => ((YamlScalarNode)k).Value), Is.SupersetOf(new[] { "kafka", "schema-registry", "simulator", "worker" }));
            Assert.That(Scalar(Map(Map(services, "kafka"), "environment"), "KAFKA_PROCESS_ROLES"), Is.EqualTo("broker,controller"));
            Assert.That(Scalar(Map(worker, "deploy"), "replicas"), Is.EqualTo("2"));
            Assert.That(Scalar(environment, "INVITESTREAM__Kafka__BootstrapServers"), Is.EqualTo("kafka:9092"));
            Assert.That(Scalar(environment, "INVITESTREAM__Engagement__BaseUrl"), Does.StartWith("http://simulator:"));
        });
    }

    [Test]
    public void The_image_is_multi_stage_and_runs_as_a_non_root_user_without_embedded_stand_ins()
    {
        var dockerfile = File.ReadAllLines(Repository.PathOf("deploy", "Dockerfile"));
        Assert.Multiple(() =>
        {
            Assert.That(dockerfile.Count(l => l.StartsWith("FROM ", StringComparison.Ordinal)), Is.EqualTo(2));
            Assert.That(dockerfile, Has.Some.Match(@"^USER \$APP_UID$"));
            Assert.That(dockerfile, Has.Some.Contains("INVITESTREAM__Embedded__Enabled=false"));
            Assert.That(dockerfile, Has.Some.Contains("INVITESTREAM__Health__Port=8080"));
        });
    }

    public static IEnumerable<string> Templates() =>
        Directory.GetFiles(Path.Combine(Chart, "templates"), "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    // A line holding only actions (if/range/with/end/include ... | nindent) goes; an action inside a
    // line becomes a placeholder scalar, so "replicas: {{ .Values.replicaCount }}" stays a mapping.
    private static string StripActions(string template)
    {
        var lines = template.Split('\n')
            .Where(line => !ActionOnly().IsMatch(line))
            .Select(line => Action().Replace(line, "x"));
        return string.Join('\n', lines);
    }

    private static YamlMappingNode Values() => Load(File.ReadAllText(Path.Combine(Chart, "values.yaml")));

    private static bool Defined(YamlMappingNode values, string[] path)
    {
        YamlNode node = values;
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out var child))
            {
                return false;
            }

            node = child;
        }

        return true;
    }

    private static YamlMappingNode Load(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) => (YamlMappingNode)node.Children[new YamlScalarNode(key)];

    private static string Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value ?? "" : "";

    [GeneratedRegex(@"^\s*(\{\{-?.*?-?\}\}\s*)+$")]
    private static partial Regex ActionOnly();

    [GeneratedRegex(@"\{\{-?.*?-?\}\}")]
    private static partial Regex Action();

    [GeneratedRegex(@"\.Values\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)")]
    private static partial Regex ValuesReference();
}
