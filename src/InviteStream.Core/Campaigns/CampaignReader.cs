using System.Text.Json;
using InviteStream.Core.Attributes;
using InviteStream.Core.Filters;

namespace InviteStream.Core.Campaigns;

/// <summary>
/// Reads one campaign from its JSON text, reporting every problem with its JSON path rather than
/// stopping at the first. Returns no campaign when any error was found.
/// </summary>
public static class CampaignReader
{
    public static (Campaign? Campaign, IReadOnlyList<CampaignDiagnostic> Diagnostics) Read(string json, string source)
    {
        var diagnostics = new List<CampaignDiagnostic>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            diagnostics.Add(new(DiagnosticSeverity.Error, source, "$", NotJson(json, ex)));
            return (null, diagnostics);
        }

        using (document)
        {
            var reader = new Context(source, diagnostics);
            var campaign = reader.ReadCampaign(document.RootElement);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                CampaignRules.Check(document.RootElement, source, diagnostics);
            }

            return (diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error) ? null : campaign, diagnostics);
        }
    }

    /// <summary>The campaign's <c>id</c> when the text is JSON with a string id, whatever else is wrong with it.</summary>
    public static string? IdOf(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                ? id.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // Where the text stops being JSON, as an editor counts (from 1), with the line itself: the parser's
    // own message counts from 0 and names no text.
    private static string NotJson(string json, JsonException ex)
    {
        var reason = ex.Message;
        var cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
        reason = (cut >= 0 ? reason[..cut] : reason).Trim().TrimEnd('.');
        if (ex.LineNumber is not { } line)
        {
            return $"not valid JSON: {reason}";
        }

        var text = json.Split('\n') is var lines && line < lines.Length ? lines[line].TrimEnd('\r') : "";
        return $"not valid JSON at line {line + 1}, column {(ex.BytePositionInLine ?? 0) + 1}: {reason}; the line: {text.Trim()}";
    }

    private sealed class Context(string source, List<CampaignDiagnostic> diagnostics)
    {
        public Campaign? ReadCampaign(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                Error("$", "a campaign file holds one JSON object");
                return null;
            }

            var id = RequiredString(root, "$", "id");
            var name = RequiredString(root, "$", "name");
            var enabled = OptionalBoolean(root, "$", "enabled") ?? true;
            var evaluationMode = RequiredString(root, "$", "evaluationMode");
            var filters = ReadArray(root, "$", "filters", ReadFilter);
            var actions = ReadArray(root, "$", "actions", ReadAction);
            var throttling = ReadThrottling(root);

            if (id is null || name is null || evaluationMode is null || filters is null || actions is null || throttling is null)
            {
                return null;
            }

            return new Campaign(id, name, enabled, evaluationMode, filters, actions, throttling, root.Clone());
        }

        private Filter? ReadFilter(JsonElement element, string path)
        {
            var attributeName = RequiredString(element, path, "attributeName");
            var operatorName = RequiredString(element, path, "operator");
            var dataTypeName = RequiredString(element, path, "dataType");
            if (attributeName is null || operatorName is null || dataTypeName is null)
            {
                return null;
            }

            if (!FilterOperatorNames.TryParse(operatorName, out var op))
            {
                Error($"{path}.operator", $"unknown operator '{operatorName}'; the operators are {string.Join(", ", FilterOperatorNames.All)}");
                return null;
            }

            if (!DataTypeNames.TryParse(dataTypeName, out var dataType))
            {
                Error($"{path}.dataType", $"unknown dataType '{dataTypeName}' (expected string, integer, float, boolean or string_list)");
                return null;
            }

            if (!FilterOperatorNames.Supports(op, dataType))
            {
                Error($"{path}.operator", $"operator '{operatorName}' cannot compare dataType '{dataTypeName}'");
                return null;
            }

            if (op is FilterOperator.Exists or FilterOperator.NotExists)
            {
                return new Filter(attributeName, op, default, dataType);
            }

            if (!element.TryGetProperty("value", out var rawValue))
            {
                Error(path, "missing required field 'value'");
                return null;
            }

            if (!AttributeJson.TryRead(rawValue, out var value, out _) || !DataTypeNames.Accepts(dataType, value.Kind)
                || (dataType == AttributeDataType.StringList && value.Kind != AttributeKind.StringList))
            {
                Error($"{path}.value", $"value {rawValue.GetRawText()} is not of dataType '{dataTypeName}'");
                return null;
            }

            return new Filter(attributeName, op, value, dataType);
        }

        private CampaignAction? ReadAction(JsonElement element, string path)
        {
            var type = RequiredString(element, path, "type");
            var priority = RequiredInteger(element, path, "priority");
            RoutingConfig? routing = null;
            if (element.TryGetProperty("routingConfig", out var routingElement) && routingElement.ValueKind == JsonValueKind.Object)
            {
                var routingPath = $"{path}.routingConfig";
                var skillGroups = routingElement.TryGetProperty("skillGroups", out var groups) && groups.ValueKind == JsonValueKind.Array
                    ? groups.EnumerateArray().Where(g => g.ValueKind == JsonValueKind.String).Select(g => g.GetString()!).ToArray()
                    : [];
                routing = new RoutingConfig(
                    OptionalString(routingElement, routingPath, "queueId"),
                    skillGroups,
                    OptionalString(routingElement, routingPath, "wrapUpCode"),
                    (int?)OptionalInteger(routingElement, routingPath, "priorityLevel"),
                    OptionalString(routingElement, routingPath, "overflowQueueId"));
            }

            return type is null || priority is null ? null : new CampaignAction(type, (int)priority.Value, routing);
        }

        private Throttling? ReadThrottling(JsonElement root)
        {
            if (!root.TryGetProperty("throttling", out var element) || element.ValueKind != JsonValueKind.Object)
            {
                Error("$", "missing required object 'throttling': without it every trigger is evaluated independently and contacts get repeated invites");
                return null;
            }

            const string path = "$.throttling";
            var perContact = RequiredInteger(element, path, "maxInvitesPerContact");
            var cooldown = RequiredInteger(element, path, "cooldownSeconds");
            var perMinute = RequiredInteger(element, path, "maxInvitesPerMinute");
            if (perContact is null || cooldown is null || perMinute is null)
            {
                return null;
            }

            var ok = AtLeastOne(perContact.Value, $"{path}.maxInvitesPerContact")
                & AtLeastOne(cooldown.Value, $"{path}.cooldownSeconds")
                & AtLeastOne(perMinute.Value, $"{path}.maxInvitesPerMinute");
            return ok ? new Throttling((int)perContact.Value, (int)cooldown.Value, (int)perMinute.Value) : null;
        }

        private bool AtLeastOne(long value, string path)
        {
            if (value is >= 1 and <= int.MaxValue)
            {
                return true;
            }

            Error(path, $"must be at least 1 (found {value}); 0 switches suppression off");
            return false;
        }

        private List<T>? ReadArray<T>(JsonElement parent, string path, string name, Func<JsonElement, string, T?> read)
            where T : class
        {
            if (!parent.TryGetProperty(name, out var array) || array.ValueKind != JsonValueKind.Array)
            {
                Error(path, $"missing required array '{name}'");
                return null;
            }

            var items = new List<T>();
            var failed = false;
            var index = 0;
            foreach (var element in array.EnumerateArray())
            {
                var itemPath = $"{path}.{name}[{index++}]";
                var item = element.ValueKind == JsonValueKind.Object ? read(element, itemPath) : null;
                if (element.ValueKind != JsonValueKind.Object)
                {
                    Error(itemPath, "must be an object");
                }

                failed |= item is null;
                if (item is not null)
                {
                    items.Add(item);
                }
            }

            return failed ? null : items;
        }

        private string? RequiredString(JsonElement parent, string path, string name)
        {
            if (parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0)
            {
                return value.GetString();
            }

            Error(path, $"missing required non-empty string '{name}'");
            return null;
        }

        private string? OptionalString(JsonElement parent, string path, string name)
        {
            if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (value.ValueKind == JsonValueKind.String)
            {
                return value.GetString();
            }

            Error($"{path}.{name}", "must be a string");
            return null;
        }

        private long? RequiredInteger(JsonElement parent, string path, string name)
        {
            if (!parent.TryGetProperty(name, out _))
            {
                Error(path, $"missing required integer '{name}'");
                return null;
            }

            return OptionalInteger(parent, path, name);
        }

        private long? OptionalInteger(JsonElement parent, string path, string name)
        {
            if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var integer))
            {
                return integer;
            }

            Error($"{path}.{name}", $"must be an integer (found {value.GetRawText()})");
            return null;
        }

        private bool? OptionalBoolean(JsonElement parent, string path, string name)
        {
            if (!parent.TryGetProperty(name, out var value))
            {
                return null;
            }

            if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                return value.GetBoolean();
            }

            Error($"{path}.{name}", "must be true or false");
            return null;
        }

        private void Error(string path, string message) =>
            diagnostics.Add(new CampaignDiagnostic(DiagnosticSeverity.Error, source, path, message));
    }
}
