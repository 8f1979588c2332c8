using System.Text.Json;

namespace InviteStream.Core.Campaigns;

/// <summary>
/// The guide's traps as definition rules: each is reported with its JSON path, so a campaign that
/// would fail silently at run time is refused at start-up instead.
/// </summary>
internal static class CampaignRules
{
    private static readonly Dictionary<string, string[]> KnownFields = new(StringComparer.Ordinal)
    {
        ["$"] = ["id", "name", "description", "enabled", "campaignType", "evaluationMode", "filters", "actions", "throttling"],
        ["filter"] = ["attributeName", "operator", "value", "dataType"],
        ["action"] = ["type", "priority", "config", "routingConfig"],
        ["config"] = ["inviteMessage", "displayDuration", "autoDismissOnScroll"],
        ["routingConfig"] = ["queueId", "skillGroups", "wrapUpCode", "priorityLevel", "overflowQueueId"],
        ["throttling"] = ["maxInvitesPerContact", "cooldownSeconds", "maxInvitesPerMinute"],
    };

    public static void Check(JsonElement root, string source, List<CampaignDiagnostic> diagnostics)
    {
        var rules = new RuleContext(source, diagnostics);
        rules.UnknownFields(root, "$", "$");
        var hasWebchatInvite = false;

        if (root.TryGetProperty("evaluationMode", out var mode) && mode.ValueKind == JsonValueKind.String
            && mode.GetString() is not ("realtime" or "batch"))
        {
            rules.Error("$.evaluationMode", $"unknown evaluationMode '{mode.GetString()}' (expected realtime or batch)");
        }

        if (root.TryGetProperty("actions", out var actions) && actions.ValueKind == JsonValueKind.Array)
        {
            if (actions.GetArrayLength() == 0)
            {
                rules.Error("$.actions", "a campaign needs at least one action");
            }

            var index = 0;
            foreach (var action in actions.EnumerateArray())
            {
                var path = $"$.actions[{index++}]";
                if (action.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                rules.UnknownFields(action, path, "action");
                if (action.TryGetProperty("priority", out var priority) && priority.ValueKind == JsonValueKind.Number
                    && priority.TryGetInt64(out var value) && value < 1)
                {
                    rules.Error($"{path}.priority", $"priority must be at least 1, the highest (found {value})");
                }

                if (action.TryGetProperty("config", out var config) && config.ValueKind == JsonValueKind.Object)
                {
                    rules.UnknownFields(config, $"{path}.config", "config");
                }

                var isWebchatInvite = action.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                    && type.GetString() == CampaignAction.WebchatInvite;
                hasWebchatInvite |= isWebchatInvite;
                if (action.TryGetProperty("routingConfig", out var routing) && routing.ValueKind == JsonValueKind.Object)
                {
                    rules.UnknownFields(routing, $"{path}.routingConfig", "routingConfig");
                }

                if (isWebchatInvite)
                {
                    rules.RoutingTarget(action, path);
                }
            }
        }

        if (hasWebchatInvite && mode.ValueKind == JsonValueKind.String && mode.GetString() == "batch")
        {
            rules.Error(
                "$.evaluationMode",
                "evaluationMode 'batch' queues triggers for asynchronous processing, delaying invites by 30 to 120 seconds; " +
                "a webchat_invite needs 'realtime' because visitor intent decays within seconds");
        }

        var enabled = !root.TryGetProperty("enabled", out var enabledElement) || enabledElement.ValueKind != JsonValueKind.False;
        if (root.TryGetProperty("filters", out var filters) && filters.ValueKind == JsonValueKind.Array)
        {
            if (enabled && filters.GetArrayLength() == 0)
            {
                rules.Error("$.filters", "an enabled campaign with no filters would invite on every event");
            }

            var index = 0;
            foreach (var filter in filters.EnumerateArray())
            {
                if (filter.ValueKind == JsonValueKind.Object)
                {
                    rules.UnknownFields(filter, $"$.filters[{index}]", "filter");
                }

                index++;
            }
        }

        if (root.TryGetProperty("throttling", out var throttling) && throttling.ValueKind == JsonValueKind.Object)
        {
            rules.UnknownFields(throttling, "$.throttling", "throttling");
        }
    }

    private readonly struct RuleContext(string source, List<CampaignDiagnostic> diagnostics)
    {
        public void RoutingTarget(JsonElement action, string path)
        {
            if (!action.TryGetProperty("routingConfig", out var routing) || routing.ValueKind != JsonValueKind.Object)
            {
                Error(path, "a webchat_invite action needs a routingConfig with queueId and skillGroups; without it the " +
                    "conversation falls back to the channel's default queue and bypasses the specialised agents");
                return;
            }

            var routingPath = $"{path}.routingConfig";
            if (!routing.TryGetProperty("queueId", out var queue) || queue.ValueKind != JsonValueKind.String || queue.GetString()!.Length == 0)
            {
                Error(routingPath, "missing queueId: the conversation would fall back to the channel's default queue");
            }

            if (!routing.TryGetProperty("skillGroups", out var groups) || groups.ValueKind != JsonValueKind.Array
                || !groups.EnumerateArray().Any(g => g.ValueKind == JsonValueKind.String && g.GetString()!.Length > 0))
            {
                Error(routingPath, "missing or empty skillGroups: the conversation would reach agents without the matching skill");
            }

            if (!routing.TryGetProperty("overflowQueueId", out var overflow) || overflow.ValueKind != JsonValueKind.String)
            {
                Warning(routingPath, "no overflowQueueId: capacity spikes will spill into the global default queue");
            }
        }

        public void UnknownFields(JsonElement element, string path, string kind)
        {
            var known = KnownFields[kind];
            foreach (var property in element.EnumerateObject())
            {
                if (Array.IndexOf(known, property.Name) < 0)
                {
                    Warning($"{path}.{property.Name}", $"unknown field '{property.Name}' is ignored (known: {string.Join(", ", known)})");
                }
            }
        }

        public void Error(string path, string message) =>
            diagnostics.Add(new CampaignDiagnostic(DiagnosticSeverity.Error, source, path, message));

        public void Warning(string path, string message) =>
            diagnostics.Add(new CampaignDiagnostic(DiagnosticSeverity.Warning, source, path, message));
    }
}
