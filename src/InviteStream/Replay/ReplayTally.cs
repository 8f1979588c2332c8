using InviteStream.Core.Outcomes;

namespace InviteStream.Replay;

/// <summary>Outcomes counted per campaign and status, and the dead-letter reasons of bad records.</summary>
internal sealed class ReplayTally
{
    private readonly SortedDictionary<string, int[]> _byCampaign = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, int> _badRecords = new(StringComparer.Ordinal);

    public long Outcomes { get; private set; }

    public long BadRecordCount { get; private set; }

    public IReadOnlyDictionary<string, int> BadRecords => _badRecords;

    public void Count(InviteOutcome outcome)
    {
        Outcomes++;
        var key = outcome.CampaignId ?? "(no campaign)";
        if (!_byCampaign.TryGetValue(key, out var counts))
        {
            _byCampaign[key] = counts = new int[Enum.GetValues<OutcomeStatus>().Length];
        }

        counts[(int)outcome.Status]++;
    }

    public void Bad(string reason)
    {
        BadRecordCount++;
        _badRecords[reason] = _badRecords.GetValueOrDefault(reason) + 1;
    }

    public int Of(string campaignId, OutcomeStatus status) => _byCampaign.TryGetValue(campaignId, out var counts) ? counts[(int)status] : 0;

    public IEnumerable<string> Campaigns => _byCampaign.Keys;

    /// <summary>One row per campaign and a total, with a column per status that occurred.</summary>
    public void WriteTable(TextWriter output)
    {
        var statuses = Enum.GetValues<OutcomeStatus>().Where(s => _byCampaign.Values.Any(c => c[(int)s] > 0)).ToList();
        List<string> header = ["campaign", .. statuses.Select(OutcomeStatusNames.ToWire), "total"];
        var rows = _byCampaign.Select(c => (List<string>)[c.Key, .. statuses.Select(s => c.Value[(int)s].ToString("N0")), c.Value.Sum().ToString("N0")]).ToList();
        rows.Add(["all", .. statuses.Select(s => _byCampaign.Values.Sum(c => c[(int)s]).ToString("N0")), Outcomes.ToString("N0")]);
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToList();
        output.WriteLine(string.Join("  ", header.Select((h, i) => i == 0 ? h.PadRight(widths[i]) : h.PadLeft(widths[i]))));
        foreach (var row in rows)
        {
            output.WriteLine(string.Join("  ", row.Select((v, i) => i == 0 ? v.PadRight(widths[i]) : v.PadLeft(widths[i]))));
        }
    }
}
