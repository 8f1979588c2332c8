using System.Text.Json;

namespace InviteStream.Simulator.Rules;

/// <summary>
/// What the engine reads from a campaign definition to decide a trigger: its filters and its
/// contact throttle, taken from the JSON as written.
/// </summary>
internal sealed record EngineCampaign(string Id, IReadOnlyList<FilterRule> Filters, ContactThrottle Throttle)
{
    public static bool TryRead(JsonElement definition, out EngineCampaign campaign, out string error)
    {
        campaign = null!;
        if (definition.ValueKind != JsonValueKind.Object
            || !definition.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String)
        {
            error = "a campaign needs an id";
            return false;
        }

        if (!definition.TryGetProperty("throttling", out var throttling) || throttling.ValueKind != JsonValueKind.Object
            || !TryPositive(throttling, "maxInvitesPerContact", out var maxInvites)
            || !TryPositive(throttling, "cooldownSeconds", out var cooldownSeconds))
        {
            error = "a campaign needs throttling.maxInvitesPerContact and throttling.cooldownSeconds of at least 1";
            return false;
        }

        var filters = new List<FilterRule>();
        if (definition.TryGetProperty("filters", out var elements) && elements.ValueKind == JsonValueKind.Array)
        {
            foreach (var element in elements.EnumerateArray())
            {
                if (!FilterRule.TryRead(element, out var filter, out error))
                {
                    return false;
                }

                filters.Add(filter);
            }
        }

        campaign = new EngineCampaign(id.GetString()!, filters, new ContactThrottle(maxInvites, TimeSpan.FromSeconds(cooldownSeconds)));
        error = "";
        return true;
    }

    /// <summary>A campaign matches when all its filters match.</summary>
    public bool Matches(JsonElement sessionData) => Filters.All(filter => filter.Matches(sessionData));

    private static bool TryPositive(JsonElement parent, string name, out int value)
    {
        value = 0;
        return parent.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.Number
            && element.TryGetInt32(out value) && value >= 1;
    }
}
