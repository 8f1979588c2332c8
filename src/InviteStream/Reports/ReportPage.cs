using System.Globalization;
using System.Net;
using OxyPlot;

namespace InviteStream.Reports;

/// <summary>
/// Writes a report as one self-contained HTML page: inline CSS and inline SVG charts, nothing fetched
/// when it is opened, so it can be mailed, attached to a ticket or opened on a machine with no network.
/// With a candidate the two runs stand side by side, every chart pair on one scale.
/// </summary>
public static class ReportPage
{
    private const int MaxCapCharts = 6;

    /// <param name="candidate">The same events decided under a second campaign set (<c>replay --compare</c>), or null.</param>
    public static void Write(ReportData baseline, ReportData? candidate, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(output);
        IReadOnlyList<ReportData> runs = candidate is null ? [baseline] : [baseline, candidate];
        var title = candidate is null ? baseline.Title : $"{baseline.Title} vs {candidate.Title}";

        output.Write($"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>InviteStream report: {E(title)}</title>
            <style>{Css}</style>
            </head>
            <body>
            <header class="page-header">
            <h1>InviteStream report</h1>
            <p class="subtitle">{SubtitleOf(baseline, candidate)}</p>
            </header>
            <main class="{(candidate is null ? "single" : "compare")}">

            """);
        WriteTiles(runs, output);
        if (runs.All(IsEmpty))
        {
            var why = runs.All(r => r.EventsEvaluated is null or 0 && r.From is null)
                ? "there were no events."
                : "no event matched a campaign and no filter failed.";
            output.Write($"""
                <section class="card empty wide"><h2>Nothing to show</h2><p>Nothing to show: {why}</p></section>

                """);
        }
        else
        {
            if (candidate is not null)
            {
                WriteComparison(baseline, candidate, output);
            }

            WriteCharts(runs, output);
        }

        output.Write("""
            </main>
            <footer class="page-footer">Written by InviteStream. Charts drawn with OxyPlot. Times are event times in UTC.</footer>
            </body>
            </html>

            """);
    }

    private static bool IsEmpty(ReportData run) => run.Campaigns.Count == 0 && run.FilterFailures.Count == 0;

    private static string SubtitleOf(ReportData baseline, ReportData? candidate) => candidate is null
        ? E(baseline.Title)
        : $"<span class=\"tag baseline\">baseline</span> {E(baseline.Title)} <span class=\"vs\">vs</span> <span class=\"tag candidate\">candidate</span> {E(candidate.Title)}";

    private static void WriteTiles(IReadOnlyList<ReportData> runs, TextWriter output)
    {
        output.Write("<section class=\"card wide tiles-section\">\n<div class=\"sides\">\n");
        foreach (var run in runs)
        {
            var invites = run.Campaigns.Values.Sum(ReportCharts.Invites);
            output.Write($"""
                <div class="side">{SideTitle(runs, run)}
                <div class="tiles">
                {Tile("Events evaluated", N(run.EventsEvaluated), run.EventsEvaluated is null ? "counted per campaign live" : null)}
                {Tile("Events matched", N(run.EventsMatched), run.EventsEvaluated > 0 ? $"{Percent(run.EventsMatched, run.EventsEvaluated.Value)} of evaluated" : null)}
                {Tile("Contacts reached", N(run.ContactsReached), run.ContactsReached is null ? "a replay counts them" : null)}
                {Tile("Invites", N(invites), $"{N(run.Campaigns.Count)} campaign(s)")}
                {Tile("Time range", DurationOf(run), RangeOf(run))}
                </div>
                </div>

                """);
        }

        output.Write("</div>\n</section>\n");
    }

    private static string Tile(string label, string value, string? note) =>
        $"<div class=\"tile\"><div class=\"tile-label\">{E(label)}</div><div class=\"tile-value\">{E(value)}</div>{(note is null ? "" : $"<div class=\"tile-note\">{E(note)}</div>")}</div>";

    private static void WriteComparison(ReportData baseline, ReportData candidate, TextWriter output)
    {
        output.Write($"""
            <section class="card wide">
            <h2>Invites per campaign, baseline vs candidate</h2>
            <p class="caption">Would-be and delivered invites of each campaign under both runs, and what the candidate changes.</p>
            <table class="diff">
            <thead><tr><th>Campaign</th><th class="num">{E(baseline.Title)}</th><th class="num">{E(candidate.Title)}</th><th class="num">Difference</th></tr></thead>
            <tbody>

            """);
        foreach (var id in baseline.Campaigns.Keys.Union(candidate.Campaigns.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var before = baseline.Campaigns.TryGetValue(id, out var b) ? ReportCharts.Invites(b) : 0;
            var after = candidate.Campaigns.TryGetValue(id, out var c) ? ReportCharts.Invites(c) : 0;
            var change = after - before;
            var (css, text) = change switch
            {
                > 0 => ("up", $"+{N(change)}"),
                < 0 => ("down", $"\u2212{N(-change)}"),
                _ => ("same", "0"),
            };
            var relative = before > 0 && change != 0 ? $" ({(change > 0 ? "+" : "\u2212")}{Percent(Math.Abs(change), before)})" : "";
            output.Write($"<tr><td class=\"campaign\">{E(id)}</td><td class=\"num\">{N(before)}</td><td class=\"num\">{N(after)}</td><td class=\"num {css}\">{E(text + relative)}</td></tr>\n");
        }

        output.Write("</tbody>\n</table>\n</section>\n");
    }

    private static void WriteCharts(IReadOnlyList<ReportData> runs, TextWriter output)
    {
        var campaigns = runs.SelectMany(r => r.Campaigns.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var colours = ReportCharts.Colours(campaigns);

        var withEvents = runs.Where(r => r.From is not null && r.Campaigns.Count > 0).ToList();
        if (withEvents.Count > 0)
        {
            var (from, to) = ReportCharts.TimeRange(withEvents);
            var peak = withEvents.Max(r => ReportCharts.InvitesPeak(r, from, to));
            WriteSection(
                "Invites per campaign over event time",
                $"Would-be and delivered invites per {(runs[0].Bucket >= TimeSpan.FromHours(1) ? "hour" : "minute")} of event time, one line per campaign.",
                runs,
                r => r.From is null || r.Campaigns.Count == 0 ? null : ReportCharts.InvitesOverTime(r, colours, from, to, peak),
                "No invites.",
                output);
        }

        if (campaigns.Count > 0)
        {
            var statuses = ReportCharts.Statuses(runs);
            var peak = runs.Max(ReportCharts.OutcomesPeak);
            WriteSection(
                "Outcome mix per campaign",
                "Every outcome of an event that matched the campaign, by status: invites (would_deliver, delivered) and the reasons others were not sent.",
                runs,
                r => r.Campaigns.Count == 0 ? null : ReportCharts.OutcomeMix(r, campaigns, statuses, peak),
                "No outcomes.",
                output);
            WriteCapCharts(runs, output);
        }

        var suppressed = campaigns.Where(id => runs.Any(r => r.Campaigns.TryGetValue(id, out var c) && c.SuppressedBy.Values.Sum() > 0)).ToList();
        if (suppressed.Count > 0)
        {
            var reasons = runs.SelectMany(r => r.Campaigns.Values).SelectMany(c => c.SuppressedBy)
                .GroupBy(s => s.Key, StringComparer.Ordinal)
                .OrderByDescending(g => g.Sum(s => s.Value)).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => g.Key).ToList();
            var peak = runs.Max(ReportCharts.SuppressionsPeak);
            WriteSection(
                "Suppressions by reason per campaign",
                "Invites held back by a cooldown: the campaign's own, another campaign's recent invite, or the engagement engine's.",
                runs,
                r => r.Campaigns.Values.Sum(c => c.SuppressedBy.Values.Sum()) == 0 ? null : ReportCharts.Suppressions(r, suppressed, reasons, peak),
                "No suppressions.",
                output);
        }

        if (runs.Any(r => r.FilterFailures.Count > 0))
        {
            var rows = runs.Max(r => Math.Min(r.FilterFailures.Count, ReportCharts.TopFilterFailures));
            var peak = runs.Max(ReportCharts.FilterFailuresPeak);
            WriteSection(
                "Top filter failures",
                $"The {ReportCharts.TopFilterFailures} most frequent filters that did not match, by attribute and kind. "
                + "<strong>missing</strong> and <strong>type_mismatch</strong> are the guide's silent-failure trap: the attribute was absent, "
                + "or sent with the wrong JSON type (a number sent as a string, <code>\"45\"</code> for <code>45</code>), so the filter can never match. "
                + "<strong>not_matched</strong> is a filter doing its job.",
                runs,
                r => r.FilterFailures.Count == 0 ? null : ReportCharts.FilterFailures(r, rows, peak),
                "No filter failures.",
                output,
                captionIsHtml: true);
        }
    }

    private static void WriteCapCharts(IReadOnlyList<ReportData> runs, TextWriter output)
    {
        var active = runs.SelectMany(r => r.Campaigns)
            .Where(c => c.Value.PerMinute.Count > 0)
            .GroupBy(c => c.Key, StringComparer.Ordinal)
            .Select(g => (Id: g.Key, Load: g.Sum(c => c.Value.PerMinute.Values.Sum(m => m.Invites + m.Throttled))))
            .OrderByDescending(c => c.Load).ThenBy(c => c.Id, StringComparer.Ordinal)
            .ToList();
        if (active.Count == 0)
        {
            return;
        }

        var shown = active.Take(MaxCapCharts).Select(c => c.Id).Order(StringComparer.Ordinal).ToList();
        var cut = active.Count > shown.Count
            ? $" Showing the {shown.Count} busiest of {active.Count} campaigns."
            : "";
        output.Write($"""
            <section class="card wide">
            <h2>Invites and throttled per minute against the cap</h2>
            <p class="caption">Per minute of event time: invites (green) and throttled outcomes (orange) stacked, against the campaign's <code>maxInvitesPerMinute</code> (dashed red line).{E(cut)}</p>
            <div class="cap-grid">

            """);
        foreach (var id in shown)
        {
            var inRuns = runs.Select(r => r.Campaigns.GetValueOrDefault(id)).ToList();
            var present = inRuns.OfType<CampaignReport>().Where(c => c.PerMinute.Count > 0).ToList();
            var (start, minutes, windowCut) = ReportCharts.MinuteWindow(present);
            var peak = present.Max(ReportCharts.PerMinutePeak);
            var caps = present.Select(c => c.MaxInvitesPerMinute is { } cap ? $"{N(cap)}/min" : "unknown").ToList();
            var capText = $"cap {string.Join(" \u2192 ", caps.Distinct(StringComparer.Ordinal).Count() == 1 ? caps.Take(1) : caps)}";
            var window = windowCut
                ? $"the busiest {ReportCharts.MinutesShown} minutes, from {start.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}"
                : "";
            output.Write($"""
                <div class="cap-chart">
                <h3><span class="swatch-id">{E(id)}</span> <span class="muted">{E(capText)}{(window.Length > 0 ? $"; {E(window)}" : "")}</span></h3>
                <div class="sides">

                """);
            for (var i = 0; i < runs.Count; i++)
            {
                var campaign = inRuns[i];
                var body = campaign is null || campaign.PerMinute.Count == 0
                    ? Note("Not active in this run.")
                    : ReportCharts.PerMinute(id, campaign, start, minutes, peak);
                output.Write($"<div class=\"side\">{SideTitle(runs, runs[i])}\n{body}\n</div>\n");
            }

            output.Write("</div>\n</div>\n");
        }

        output.Write("</div>\n</section>\n");
    }

    private static void WriteSection(
        string heading, string caption, IReadOnlyList<ReportData> runs, Func<ReportData, string?> chart, string nothing, TextWriter output, bool captionIsHtml = false)
    {
        output.Write($"""
            <section class="card">
            <h2>{E(heading)}</h2>
            <p class="caption">{(captionIsHtml ? caption : E(caption))}</p>
            <div class="sides">

            """);
        foreach (var run in runs)
        {
            output.Write($"<div class=\"side\">{SideTitle(runs, run)}\n{chart(run) ?? Note(nothing)}\n</div>\n");
        }

        output.Write("</div>\n</section>\n");
    }

    private static string SideTitle(IReadOnlyList<ReportData> runs, ReportData run) => runs.Count == 1
        ? ""
        : $"<h3 class=\"side-title {(ReferenceEquals(run, runs[0]) ? "baseline" : "candidate")}\">{E(run.Title)}</h3>";

    private static string Note(string text) => $"<p class=\"note\">{E(text)}</p>";

    private static string DurationOf(ReportData run)
    {
        if (run.From is not { } from || run.To is not { } to)
        {
            return "\u2014";
        }

        var span = to - from;
        return span switch
        {
            _ when span < TimeSpan.FromMinutes(2) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0} s"),
            _ when span < TimeSpan.FromHours(2) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0} min"),
            _ when span < TimeSpan.FromDays(2) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0.#} h"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{span.TotalDays:0.#} days"),
        };
    }

    private static string? RangeOf(ReportData run)
    {
        if (run.From is not { } from || run.To is not { } to)
        {
            return "no events";
        }

        var (f, t) = (from.ToUniversalTime(), to.ToUniversalTime());
        var end = f.Date == t.Date ? t.ToString("HH:mm", CultureInfo.InvariantCulture) : t.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        return $"{f.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} \u2192 {end} UTC";
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string N(long? value) => value is { } known ? N(known) : "\u2014";

    private static string Percent(long part, long whole) => ((double)part / whole).ToString("0.#%", CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private const string Css = """

        :root {
          --bg: #f6f7fb; --card: #ffffff; --text: #1f2937; --muted: #6b7280; --line: #e5e7eb;
          --baseline: #4e79a7; --candidate: #b07aa1; --up: #2e7d32; --down: #c62828;
        }
        * { box-sizing: border-box; }
        body {
          margin: 0; background: var(--bg); color: var(--text);
          font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif;
        }
        .page-header { padding: 28px 32px 8px; }
        h1 { margin: 0; font-size: 26px; font-weight: 650; letter-spacing: -0.01em; }
        .subtitle { margin: 4px 0 0; color: var(--muted); }
        .tag { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; color: #fff; vertical-align: 1px; }
        .tag.baseline { background: var(--baseline); }
        .tag.candidate { background: var(--candidate); }
        .vs { margin: 0 6px; }
        main { display: grid; gap: 20px; padding: 16px 32px 32px; grid-template-columns: repeat(auto-fit, minmax(min(100%, 560px), 1fr)); }
        main.compare { grid-template-columns: 1fr; }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 18px 20px; box-shadow: 0 1px 2px rgba(16, 24, 40, 0.04); min-width: 0; }
        .wide { grid-column: 1 / -1; }
        h2 { margin: 0 0 4px; font-size: 17px; font-weight: 620; }
        h3 { margin: 0 0 6px; font-size: 14px; font-weight: 600; }
        .caption { margin: 0 0 14px; color: var(--muted); font-size: 13.5px; max-width: 80ch; }
        code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; background: #f1f3f7; padding: 1px 4px; border-radius: 4px; }
        .sides { display: grid; gap: 20px; grid-template-columns: repeat(auto-fit, minmax(min(100%, 420px), 1fr)); }
        .side { min-width: 0; }
        .side-title { padding-left: 10px; border-left: 4px solid var(--baseline); overflow-wrap: anywhere; }
        .side-title.candidate { border-left-color: var(--candidate); }
        svg.chart { display: block; width: 100%; height: auto; }
        .tiles { display: grid; gap: 10px; grid-template-columns: repeat(auto-fit, minmax(112px, 1fr)); }
        .tile { background: #f9fafb; border: 1px solid var(--line); border-radius: 10px; padding: 10px 12px; min-width: 0; }
        .tile-label { color: var(--muted); font-size: 11.5px; text-transform: uppercase; letter-spacing: 0.04em; }
        .tile-value { font-size: 22px; font-weight: 650; font-variant-numeric: tabular-nums; }
        .tile-note { color: var(--muted); font-size: 12px; }
        .cap-grid { display: grid; gap: 24px; grid-template-columns: repeat(auto-fit, minmax(min(100%, 520px), 1fr)); }
        main.compare .cap-grid { grid-template-columns: 1fr; }
        .muted { color: var(--muted); font-weight: 400; }
        .swatch-id, .campaign { overflow-wrap: anywhere; }
        .note { color: var(--muted); font-style: italic; margin: 12px 0; }
        .empty p { color: var(--muted); margin: 4px 0 0; }
        table.diff { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
        table.diff th, table.diff td { padding: 8px 12px; border-bottom: 1px solid var(--line); text-align: left; }
        table.diff th { color: var(--muted); font-weight: 600; font-size: 13px; }
        table.diff .num { text-align: right; }
        table.diff .up { color: var(--up); font-weight: 600; }
        table.diff .down { color: var(--down); font-weight: 600; }
        table.diff .same { color: var(--muted); }
        .page-footer { padding: 0 32px 28px; color: var(--muted); font-size: 12.5px; }

        """;
}
