using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using InviteStream.Core;
using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace InviteStream.Reports;

/// <summary>
/// The report's charts, drawn by OxyPlot and exported as inline SVG. Each chart takes its value axis
/// maximum (and, where it has one, its categories) from the caller, so the two runs of a comparison
/// are drawn on the same scale: equal bars mean equal numbers.
/// </summary>
internal static partial class ReportCharts
{
    public const int Width = 640;

    /// <summary>The minutes one invites-against-the-cap chart shows: columns stay wider than a pixel or two.</summary>
    public const int MinutesShown = 180;

    public const int TopFilterFailures = 15;

    /// <summary>Lines beyond these are summed into one "other campaigns" line: more colours than this cannot be told apart.</summary>
    private const int MaxLines = 8;

    private const string CountKey = "count";
    private const string MinuteKey = "minute";

    private static readonly string[] StatusOrder =
        ["would_deliver", "delivered", "suppressed", "throttled", "not_eligible", "expired", "rejected", "failed"];

    private static readonly string[] FilterKinds = ["missing", "type_mismatch", "not_matched"];

    private static readonly OxyColor[] Palette =
    [
        OxyColor.Parse("#4e79a7"), OxyColor.Parse("#f28e2b"), OxyColor.Parse("#59a14f"), OxyColor.Parse("#e15759"),
        OxyColor.Parse("#76b7b2"), OxyColor.Parse("#edc948"), OxyColor.Parse("#b07aa1"), OxyColor.Parse("#ff9da7"),
        OxyColor.Parse("#9c755f"), OxyColor.Parse("#bab0ac"),
    ];

    private static readonly OxyColor TextColour = OxyColor.Parse("#374151");
    private static readonly OxyColor AxisColour = OxyColor.Parse("#9ca3af");
    private static readonly OxyColor GridColour = OxyColor.Parse("#eceff3");
    private static readonly OxyColor OtherColour = OxyColor.Parse("#9ca3af");
    private static readonly OxyColor InviteColour = OxyColor.Parse("#59a14f");
    private static readonly OxyColor ThrottledColour = OxyColor.Parse("#f28e2b");
    private static readonly OxyColor CapColour = OxyColor.Parse("#c62828");

    public static long Invites(CampaignReport campaign) =>
        campaign.Outcomes.GetValueOrDefault("would_deliver") + campaign.Outcomes.GetValueOrDefault("delivered");

    /// <summary>A colour per campaign, the same in every chart and both runs.</summary>
    public static IReadOnlyDictionary<string, OxyColor> Colours(IEnumerable<string> campaignIds) =>
        campaignIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select((id, i) => (id, colour: Palette[i % Palette.Length]))
            .ToDictionary(c => c.id, c => c.colour, StringComparer.Ordinal);

    /// <summary>The statuses present in any run, in a fixed order (invites first), unknown ones last.</summary>
    public static IReadOnlyList<string> Statuses(IEnumerable<ReportData> reports)
    {
        var present = reports.SelectMany(r => r.Campaigns.Values).SelectMany(c => c.Outcomes.Where(o => o.Value > 0).Select(o => o.Key))
            .ToHashSet(StringComparer.Ordinal);
        return [.. StatusOrder.Where(present.Contains), .. present.Except(StatusOrder, StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    public static (DateTimeOffset From, DateTimeOffset To) TimeRange(IEnumerable<ReportData> reports)
    {
        var withEvents = reports.Where(r => r.From is not null && r.To is not null).ToList();
        var bucket = withEvents.Max(r => r.Bucket);
        var from = TimeBuckets.Floor(withEvents.Min(r => r.From!.Value), bucket);
        var to = TimeBuckets.Floor(withEvents.Max(r => r.To!.Value), bucket);
        return (from, to > from ? to : from + bucket);
    }

    public static double InvitesPeak(ReportData report, DateTimeOffset from, DateTimeOffset to) =>
        InviteLines(report, from, to).SelectMany(l => l.Points).Select(p => p.Y).DefaultIfEmpty(0).Max();

    public static string InvitesOverTime(ReportData report, IReadOnlyDictionary<string, OxyColor> colours, DateTimeOffset from, DateTimeOffset to, double peak)
    {
        var model = NewModel();
        model.Axes.Add(Styled(new DateTimeAxis
        {
            Position = AxisPosition.Bottom,
            Minimum = DateTimeAxis.ToDouble(from.UtcDateTime),
            Maximum = DateTimeAxis.ToDouble(to.UtcDateTime),
            StringFormat = to - from > TimeSpan.FromDays(1) ? "MM-dd HH:mm" : "HH:mm",
            Title = "event time (UTC)",
        }));
        model.Axes.Add(ValueAxis(AxisPosition.Left, peak, $"invites per {BucketName(report.Bucket)}"));
        foreach (var (title, id, points) in InviteLines(report, from, to))
        {
            var line = new LineSeries { Title = Label(title), Color = id is null ? OtherColour : colours[id], StrokeThickness = 2 };
            line.Points.AddRange(points);
            model.Series.Add(line);
        }

        AddLegend(model);
        return Svg(model, Width, 330, "Invites per campaign over event time");
    }

    public static double OutcomesPeak(ReportData report) =>
        report.Campaigns.Values.Select(c => (double)c.Total).DefaultIfEmpty(0).Max();

    public static string OutcomeMix(ReportData report, IReadOnlyList<string> campaigns, IReadOnlyList<string> statuses, double peak)
    {
        var model = NewModel();
        model.Axes.Add(CategoryAxis(campaigns));
        model.Axes.Add(ValueAxis(AxisPosition.Bottom, peak, "outcomes"));
        var otherColours = 0;
        foreach (var status in statuses)
        {
            var colour = StatusColour(status) ?? Palette[(6 + otherColours++) % Palette.Length];
            model.Series.Add(StackedBars(status, colour, campaigns.Select(c => report.Campaigns.TryGetValue(c, out var r) ? r.Outcomes.GetValueOrDefault(status) : 0)));
        }

        AddLegend(model);
        return Svg(model, Width, BarChartHeight(campaigns.Count), "Outcome mix per campaign");
    }

    public static double FilterFailuresPeak(ReportData report) =>
        report.FilterFailures.Select(f => (double)f.Count).DefaultIfEmpty(0).Max();

    public static string FilterFailures(ReportData report, int rows, double peak)
    {
        var top = report.FilterFailures.Take(TopFilterFailures).ToList();
        var model = NewModel();
        model.Axes.Add(CategoryAxis([.. top.Select(f => $"{f.Attribute} ({f.Kind})")]));
        model.Axes.Add(ValueAxis(AxisPosition.Bottom, peak, "filters that did not match"));
        foreach (var kind in FilterKinds)
        {
            model.Series.Add(StackedBars(kind, FilterKindColour(kind), top.Select(f => string.Equals(f.Kind, kind, StringComparison.Ordinal) ? f.Count : 0)));
        }

        AddLegend(model);
        return Svg(model, Width, BarChartHeight(rows), "Top filter failures by attribute and kind");
    }

    public static double SuppressionsPeak(ReportData report) =>
        report.Campaigns.Values.Select(c => (double)c.SuppressedBy.Values.Sum()).DefaultIfEmpty(0).Max();

    public static string Suppressions(ReportData report, IReadOnlyList<string> campaigns, IReadOnlyList<string> reasons, double peak)
    {
        var model = NewModel();
        model.Axes.Add(CategoryAxis(campaigns));
        model.Axes.Add(ValueAxis(AxisPosition.Bottom, peak, "suppressed outcomes"));
        for (var i = 0; i < reasons.Count; i++)
        {
            var reason = reasons[i];
            model.Series.Add(StackedBars(reason, Palette[(i + 4) % Palette.Length], campaigns.Select(c => report.Campaigns.TryGetValue(c, out var r) ? r.SuppressedBy.GetValueOrDefault(reason) : 0)));
        }

        AddLegend(model);
        return Svg(model, Width, BarChartHeight(campaigns.Count), "Suppressions by reason per campaign");
    }

    /// <summary>
    /// The minutes an invites-against-the-cap chart shows for one campaign across runs: all of them, or
    /// the busiest <see cref="MinutesShown"/> when the campaign was active longer.
    /// </summary>
    public static (DateTimeOffset Start, int Minutes, bool Cut) MinuteWindow(IEnumerable<CampaignReport> runs)
    {
        var load = new SortedDictionary<DateTimeOffset, long>();
        foreach (var (minute, (invites, throttled)) in runs.SelectMany(r => r.PerMinute))
        {
            load[minute] = load.GetValueOrDefault(minute) + invites + throttled;
        }

        var minutes = load.ToList();
        var span = (int)(minutes[^1].Key - minutes[0].Key).TotalMinutes + 1;
        if (span <= MinutesShown)
        {
            return (minutes[0].Key, span, false);
        }

        var (best, bestLoad, windowLoad, tail) = (0, -1L, 0L, 0);
        for (var head = 0; head < minutes.Count; head++)
        {
            windowLoad += minutes[head].Value;
            while (minutes[head].Key - minutes[tail].Key >= TimeSpan.FromMinutes(MinutesShown))
            {
                windowLoad -= minutes[tail++].Value;
            }

            if (windowLoad > bestLoad)
            {
                (best, bestLoad) = (tail, windowLoad);
            }
        }

        return (minutes[best].Key, MinutesShown, true);
    }

    public static double PerMinutePeak(CampaignReport campaign) =>
        Math.Max(campaign.PerMinute.Values.Select(m => (double)(m.Invites + m.Throttled)).DefaultIfEmpty(0).Max(), campaign.MaxInvitesPerMinute ?? 0);

    public static string PerMinute(string campaignId, CampaignReport campaign, DateTimeOffset start, int minutes, double peak)
    {
        var model = NewModel();
        var labelEvery = Math.Max(1, (int)Math.Ceiling(minutes / 12.0));
        var times = Enumerable.Range(0, minutes).Select(i => start.AddMinutes(i)).ToList();
        var axis = CategoryAxis([.. times.Select((t, i) => i % labelEvery == 0 ? t.ToString("HH:mm", CultureInfo.InvariantCulture) : "")]);
        axis.Position = AxisPosition.Bottom;
        axis.StartPosition = 0;
        axis.EndPosition = 1;
        axis.Key = MinuteKey;
        axis.GapWidth = 0.25;
        axis.TickStyle = TickStyle.Outside;
        axis.Title = "minute of event time (UTC)";
        model.Axes.Add(axis);
        var values = ValueAxis(AxisPosition.Left, peak, "per minute");
        values.Key = CountKey;
        model.Axes.Add(values);

        // Bars lie along their x axis; with the category axis at the bottom they stand up as columns.
        var counts = times.Select(t => campaign.PerMinute.GetValueOrDefault(t)).ToList();
        var invites = StackedBars("invites", InviteColour, counts.Select(c => c.Invites));
        var throttled = StackedBars("throttled", ThrottledColour, counts.Select(c => c.Throttled));
        foreach (var series in new[] { invites, throttled })
        {
            series.XAxisKey = CountKey;
            series.YAxisKey = MinuteKey;
            model.Series.Add(series);
        }

        if (campaign.MaxInvitesPerMinute is { } cap)
        {
            model.Annotations.Add(new LineAnnotation
            {
                Type = LineAnnotationType.Vertical,
                X = cap,
                XAxisKey = CountKey,
                YAxisKey = MinuteKey,
                Color = CapColour,
                LineStyle = LineStyle.Dash,
                StrokeThickness = 1.5,
                Text = string.Create(CultureInfo.InvariantCulture, $"cap {cap}/min"),
                TextColor = CapColour,
                TextLinePosition = 0,
                TextHorizontalAlignment = HorizontalAlignment.Left,
                TextVerticalAlignment = VerticalAlignment.Bottom,
                BorderBackground = OxyColor.FromAColor(230, OxyColors.White),
                BorderPadding = new OxyThickness(3, 1, 3, 1),
                FontWeight = FontWeights.Bold,
            });
        }

        AddLegend(model);
        return Svg(model, Width, 300, $"Invites and throttled per minute against the cap for {campaignId}");
    }

    private static IEnumerable<(string Title, string? Id, List<DataPoint> Points)> InviteLines(ReportData report, DateTimeOffset from, DateTimeOffset to)
    {
        var buckets = new List<DateTimeOffset>();
        for (var t = TimeBuckets.Floor(from, report.Bucket); t <= to; t += report.Bucket)
        {
            buckets.Add(t);
        }

        List<DataPoint> Points(Func<DateTimeOffset, long> invitesAt) =>
            [.. buckets.Select(t => new DataPoint(DateTimeAxis.ToDouble(t.UtcDateTime), invitesAt(t)))];

        var ranked = report.Campaigns
            .OrderByDescending(c => c.Value.InvitesOverTime.Values.Sum())
            .ThenBy(c => c.Key, StringComparer.Ordinal)
            .ToList();
        var shown = ranked.Count > MaxLines ? MaxLines - 1 : ranked.Count;
        foreach (var (id, campaign) in ranked.Take(shown).OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            yield return (id, id, Points(t => campaign.InvitesOverTime.GetValueOrDefault(t)));
        }

        if (ranked.Count > shown)
        {
            var others = ranked.Skip(shown).Select(c => c.Value.InvitesOverTime).ToList();
            yield return ($"{others.Count} other campaigns", null, Points(t => others.Sum(o => o.GetValueOrDefault(t))));
        }
    }

    private static PlotModel NewModel() => new()
    {
        Culture = CultureInfo.InvariantCulture,
        DefaultFont = "Arial",
        DefaultFontSize = 12,
        TextColor = TextColour,
        PlotAreaBorderThickness = new OxyThickness(0),
        Padding = new OxyThickness(4, 8, 16, 4),
    };

    private static T Styled<T>(T axis)
        where T : Axis
    {
        axis.AxislineStyle = LineStyle.Solid;
        axis.AxislineColor = AxisColour;
        axis.TicklineColor = AxisColour;
        axis.MajorGridlineStyle = LineStyle.Solid;
        axis.MajorGridlineColor = GridColour;
        axis.TitleFontSize = 11;
        axis.TitleColor = AxisColour.ChangeIntensity(0.7);
        axis.IsPanEnabled = false;
        axis.IsZoomEnabled = false;
        return axis;
    }

    private static LinearAxis ValueAxis(AxisPosition position, double peak, string title) => Styled(new LinearAxis
    {
        Position = position,
        Minimum = 0,
        Maximum = peak > 0 ? peak * 1.08 : 1,
        MinimumMajorStep = 1,
        MinimumMinorStep = 1,
        StringFormat = "#,0",
        Title = title,
    });

    /// <summary>A category axis on the left, its first category at the top.</summary>
    private static CategoryAxis CategoryAxis(IReadOnlyList<string> labels)
    {
        var axis = Styled(new CategoryAxis { Position = AxisPosition.Left, StartPosition = 1, EndPosition = 0, GapWidth = 0.35 });
        axis.MajorGridlineStyle = LineStyle.None;
        axis.TickStyle = TickStyle.None;
        axis.Labels.AddRange(labels.Select(Label));
        return axis;
    }

    private static BarSeries StackedBars(string title, OxyColor colour, IEnumerable<long> values)
    {
        var series = new BarSeries { Title = Label(title), IsStacked = true, FillColor = colour, StrokeColor = OxyColors.White, StrokeThickness = 0.5 };
        series.Items.AddRange(values.Select(v => new BarItem(v)));
        return series;
    }

    private static void AddLegend(PlotModel model) => model.Legends.Add(new Legend
    {
        LegendPlacement = LegendPlacement.Outside,
        LegendPosition = LegendPosition.BottomCenter,
        LegendOrientation = LegendOrientation.Horizontal,
        LegendBorderThickness = 0,
        LegendFontSize = 12,
        LegendSymbolLength = 14,
        LegendItemSpacing = 16,
    });

    private static int BarChartHeight(int rows) => 110 + (28 * Math.Max(rows, 1));

    private static OxyColor? StatusColour(string status) => status switch
    {
        "would_deliver" => InviteColour,
        "delivered" => OxyColor.Parse("#2e7d32"),
        "suppressed" => OxyColor.Parse("#8da0cb"),
        "throttled" => ThrottledColour,
        "not_eligible" => OxyColor.Parse("#bab0ac"),
        "expired" => OxyColor.Parse("#edc948"),
        "rejected" => OxyColor.Parse("#e15759"),
        "failed" => OxyColor.Parse("#9d2a3a"),
        _ => null,
    };

    private static OxyColor FilterKindColour(string kind) => kind switch
    {
        "missing" => OxyColor.Parse("#e15759"),
        "type_mismatch" => ThrottledColour,
        _ => OxyColor.Parse("#8da0cb"),
    };

    private static string BucketName(TimeSpan bucket) => bucket switch
    {
        _ when bucket == TimeSpan.FromMinutes(1) => "minute",
        _ when bucket == TimeSpan.FromHours(1) => "hour",
        _ => string.Create(CultureInfo.InvariantCulture, $"{bucket.TotalMinutes:0.##} minutes"),
    };

    /// <summary>
    /// Chart text as OxyPlot's XML writer accepts it: campaign ids come from user files, and a control
    /// character would make the writer throw; a long id is shortened so the plot keeps its width.
    /// </summary>
    private static string Label(string text)
    {
        const int MaxLength = 48;
        var runes = text.EnumerateRunes().Select(r => Rune.IsControl(r) || r.Value is 0xFFFE or 0xFFFF ? Rune.ReplacementChar : r).ToList();
        var shown = runes.Count > MaxLength ? runes.Take(MaxLength - 1).Append(new Rune('…')) : runes;
        return string.Concat(shown.Select(r => r.ToString()));
    }

    /// <summary>
    /// OxyPlot sizes the SVG in pixels and gives it no viewBox; one lets the page scale it to its column.
    /// It also numbers its clip paths from 1 in every SVG, and inline in one page the ids would resolve to
    /// the first chart's, clipping the others' plots and legends away: they are scoped by the chart's
    /// content hash, which keeps the page deterministic (identical charts share identical clips).
    /// </summary>
    private static string Svg(PlotModel model, int width, int height, string description)
    {
        var svg = SvgExporter.ExportToString(model, width, height, false, new ChartTextMeasurer());
        var scope = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(svg)), 0, 6);
        svg = ClipPathId().Replace(svg, $"chart{scope}-$1");
        var start = svg.IndexOf("<svg", StringComparison.Ordinal);
        return string.Concat(
            string.Create(CultureInfo.InvariantCulture, $"<svg class=\"chart\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{WebUtility.HtmlEncode(description)}\""),
            svg.AsSpan(start + "<svg".Length));
    }

    [GeneratedRegex(@"\b(clipPath[0-9]+)\b")]
    private static partial Regex ClipPathId();

}
