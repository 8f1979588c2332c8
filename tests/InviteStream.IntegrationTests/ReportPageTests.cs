using System.Text.RegularExpressions;
using InviteStream.Core.Attributes;
using InviteStream.Core.Campaigns;
using InviteStream.Core.Events;
using InviteStream.Core.Filters;
using InviteStream.Core.Outcomes;
using InviteStream.Reports;

namespace InviteStream.IntegrationTests;

/// <summary>
/// The HTML report as a browser sees it: Chromium builds the DOM from the written file (every chart an
/// SVG with its data and legends) and paints it (a screenshot that is not blank and holds the charts'
/// colours). A synthetic half hour of two campaigns: the guide's, often over its cap, and a retention
/// offer whose cap the candidate raises.
/// </summary>
[TestFixture]
public sealed partial class ReportPageTests
{
    private const string Guide = TestCampaigns.GuideCampaignId;
    private const string Retention = "retention-offer";
    private const int Minutes = 30;

    /// <summary>Invites over time, outcome mix, one cap chart per campaign, suppressions, filter failures.</summary>
    private const int ChartsPerRun = 6;

    private static readonly DateTimeOffset Start = new(2026, 5, 21, 14, 0, 0, TimeSpan.Zero);

    // The page's colours for invites and throttled outcomes: a painted chart has areas of them.
    private static readonly (byte R, byte G, byte B) InviteGreen = (0x59, 0xa1, 0x4f);
    private static readonly (byte R, byte G, byte B) ThrottledOrange = (0xf2, 0x8e, 0x2b);

    private string _directory = null!;
    private HeadlessChromium _chromium = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Path.Combine(Path.GetTempPath(), $"invitestream-report-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_directory);
        _chromium = new HeadlessChromium();
    }

    [TearDown]
    public void TearDown()
    {
        _chromium?.Dispose();
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            TestContext.Out.WriteLine($"The page and screenshot are kept in {_directory}");
        }
        else
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Test]
    public async Task A_replay_report_opens_in_a_browser_with_every_chart_drawn_from_its_data()
    {
        var run = Run(retentionCap: 12, seed: 7);
        var page = Write(run.Report("deploy/campaigns on events.jsonl"), null);

        var svgs = Svgs(await _chromium.DumpDomAsync(page));

        Assert.That(File.ReadAllText(page), Does.Not.Match(@"(src|href)\s*=|@import|url\((?!#)"), "nothing to fetch: the page opens offline");

        Assert.That(svgs, Has.Count.EqualTo(ChartsPerRun), "one inline SVG per chart");
        var texts = svgs.Select(Texts).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(texts[0], Does.Contain(Guide).And.Contain(Retention), "the invites-over-time legend names both campaigns");
            Assert.That(LongestLine(svgs[0]), Is.GreaterThanOrEqualTo(Minutes), "a line has a point per minute");
            Assert.That(texts[1], Does.Contain(Guide).And.Contain(Retention).And.Contain("would_deliver").And.Contain("throttled").And.Contain("suppressed"));
            Assert.That(Bars(svgs[1]), Is.GreaterThanOrEqualTo(2 * 4), "four statuses for each campaign");
            Assert.That(texts[2], Does.Contain("cap 30/min").And.Contain("invites").And.Contain("throttled"));
            Assert.That(texts[3], Does.Contain("cap 12/min"));
            Assert.That(Bars(svgs[2]), Is.GreaterThanOrEqualTo(run.MinutesWithInvites[Guide]), "a column per minute with invites");
            Assert.That(Bars(svgs[3]), Is.GreaterThanOrEqualTo(run.MinutesWithInvites[Retention]));
            Assert.That(texts[4], Does.Contain("cooldown").And.Contain("suppressed_by_engine"));
            Assert.That(Bars(svgs[4]), Is.GreaterThanOrEqualTo(2 * 2), "both reasons for each campaign");
            Assert.That(texts[5], Does.Contain("external.churn_probability (type_mismatch)")
                .And.Contain("session.dwell_time_seconds (missing)")
                .And.Contain("contact.is_authenticated (not_matched)"));
            Assert.That(Bars(svgs[5]), Is.GreaterThanOrEqualTo(4), "a bar per failing attribute and kind");
        });

        var screenshot = await _chromium.ScreenshotAsync(page, Path.Combine(_directory, "report.png"), 1400, 2400);
        AssertPainted(screenshot);
    }

    [Test]
    public async Task A_comparison_shows_both_runs_side_by_side_under_their_titles_with_invites_per_campaign()
    {
        var baseline = Run(retentionCap: 12, seed: 7).Report("deploy/campaigns");
        var candidate = Run(retentionCap: 20, seed: 7).Report("candidate <cap 20> & co");
        var page = Write(baseline, candidate);

        var dom = await _chromium.DumpDomAsync(page);

        Assert.Multiple(() =>
        {
            Assert.That(Svgs(dom), Has.Count.EqualTo(2 * ChartsPerRun), "every chart for both runs");
            Assert.That(SideTitleRegex().Matches(dom).Select(m => m.Groups["side"].Value).Distinct(), Is.EquivalentTo(new[] { "baseline", "candidate" }));
            Assert.That(Sides(dom, "baseline"), Is.EqualTo(Sides(dom, "candidate")).And.GreaterThanOrEqualTo(ChartsPerRun), "a candidate column beside every baseline one");
            Assert.That(dom, Does.Contain(">deploy/campaigns<"));
            Assert.That(dom, Does.Contain("candidate &lt;cap 20&gt; &amp; co"), "the title is text, escaped");
            Assert.That(dom, Does.Not.Contain("<cap 20>"));
            Assert.That(dom, Does.Contain("cap 20/min").And.Contain("cap 12/min"), "each run's cap on its own chart");
        });

        var row = Regex.Match(dom, $"<tr><td class=\"campaign\">{Retention}</td><td class=\"num\">(?<b>[0-9,]+)</td><td class=\"num\">(?<c>[0-9,]+)</td><td class=\"num up\">\\+(?<d>[0-9,]+)");
        Assert.That(row.Success, Is.True, $"the invites table has a row for {Retention} with a gain");
        var (before, after, gain) = (Number(row.Groups["b"].Value), Number(row.Groups["c"].Value), Number(row.Groups["d"].Value));
        Assert.That((before, after, gain), Is.EqualTo((Run(12, 7).Invites[Retention], Run(20, 7).Invites[Retention], after - before)));

        var screenshotFile = Path.Combine(TestContext.CurrentContext.WorkDirectory, "replay-report-compare.png");
        AssertPainted(await _chromium.ScreenshotAsync(page, screenshotFile, 1400, 1800));
        TestContext.AddTestAttachment(screenshotFile, "the comparison page as Chromium paints it");
    }

    [Test]
    public async Task An_empty_report_is_a_valid_page_saying_there_is_nothing_to_show()
    {
        var empty = new ReportCollector(new CampaignSet([])).Build("nothing.jsonl");
        var page = Write(empty, null);

        var dom = await _chromium.DumpDomAsync(page);

        Assert.Multiple(() =>
        {
            Assert.That(dom, Does.Contain("Nothing to show"));
            Assert.That(dom, Does.Contain("nothing.jsonl"));
            Assert.That(Svgs(dom), Is.Empty);
            Assert.That(dom, Does.Contain("</html>"));
        });
        Assert.That(File.ReadAllText(page), Does.StartWith("<!DOCTYPE html>").And.Contain("</html>"));
    }

    [Test]
    public async Task Campaign_ids_from_user_files_are_shown_as_text_never_run_as_markup()
    {
        var hostile = "<script>document.title='pwned'</script>";
        var collector = new ReportCollector(new CampaignSet([]));
        collector.Count(Outcome(hostile, OutcomeStatus.WouldDeliver, null, Start, 1));
        collector.Count(Outcome(hostile, OutcomeStatus.Throttled, null, Start.AddSeconds(5), 2));
        var page = Write(collector.Build("ids & <titles>"), null);

        var dom = await _chromium.DumpDomAsync(page);

        Assert.Multiple(() =>
        {
            Assert.That(dom, Does.Not.Contain("<script"), "no script element was created");
            Assert.That(dom, Does.Not.Contain("pwned</title>"));
            Assert.That(dom, Does.Contain("&lt;script&gt;document.title='pwned'&lt;/script&gt;"));
            Assert.That(Svgs(dom), Is.Not.Empty);
        });
    }

    private static void AssertPainted(PngImage screenshot)
    {
        var pixels = screenshot.Pixels().ToList();
        var inked = pixels.Count(p => Math.Min(p.R, Math.Min(p.G, p.B)) < 225);
        var colours = pixels.Distinct().Count();
        Assert.Multiple(() =>
        {
            Assert.That((double)inked / pixels.Count, Is.GreaterThan(0.02), "more than 2 % of the page is not near-white");
            Assert.That(colours, Is.GreaterThan(200), "charts and text give many distinct colours");
            Assert.That(pixels.Count(p => Near(p, InviteGreen)), Is.GreaterThan(2000), "invites are painted in green");
            Assert.That(pixels.Count(p => Near(p, ThrottledOrange)), Is.GreaterThan(500), "throttled outcomes are painted in orange");
        });
    }

    private static bool Near((byte R, byte G, byte B) pixel, (byte R, byte G, byte B) colour) =>
        Math.Abs(pixel.R - colour.R) + Math.Abs(pixel.G - colour.G) + Math.Abs(pixel.B - colour.B) < 24;

    private string Write(ReportData baseline, ReportData? candidate)
    {
        var file = Path.Combine(_directory, "report.html");
        using (var writer = new StreamWriter(file))
        {
            ReportPage.Write(baseline, candidate, writer);
        }

        return file;
    }

    private static List<string> Svgs(string dom) => [.. SvgRegex().Matches(dom).Select(m => m.Value)];

    /// <summary>Filled rectangles: bars and legend swatches, not the clip paths every chart has.</summary>
    private static int Bars(string svg) => FilledRectRegex().Count(svg);

    private static int LongestLine(string svg) =>
        PolylineRegex().Matches(svg).Select(m => m.Groups["points"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length).DefaultIfEmpty(0).Max();

    private static string Texts(string svg) => string.Join('\n', TextRegex().Matches(svg).Select(m => System.Net.WebUtility.HtmlDecode(m.Groups["text"].Value)));

    private static int Sides(string dom, string side) => Regex.Count(dom, $"<h3 class=\"side-title {side}\">");

    private static long Number(string text) => long.Parse(text.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex("<svg[^>]*>.*?</svg>", RegexOptions.Singleline)]
    private static partial Regex SvgRegex();

    [GeneratedRegex("<rect [^>]*style=\"fill:rgb")]
    private static partial Regex FilledRectRegex();

    [GeneratedRegex("<polyline[^>]*points=\"(?<points>[^\"]*)\"")]
    private static partial Regex PolylineRegex();

    [GeneratedRegex("<text[^>]*>(?<text>[^<]*)</text>")]
    private static partial Regex TextRegex();

    [GeneratedRegex("<h3 class=\"side-title (?<side>baseline|candidate)\">")]
    private static partial Regex SideTitleRegex();

    /// <summary>
    /// A half hour of outcomes for the two campaigns, drawn from a seeded random source so runs with the
    /// same seed differ only by the retention offer's cap: demand above a cap becomes throttled outcomes.
    /// </summary>
    private static BehavioralEvent EventAt(DateTimeOffset occurredAt) =>
        new("e", "c", "web", occurredAt, new Dictionary<string, AttributeValue>(), null);

    private static SyntheticRun Run(int retentionCap, int seed)
    {
        var guide = Campaign(TestCampaigns.Guide(cooldownSeconds: 600, maxInvitesPerMinute: 30));
        var retention = Campaign(TestCampaigns.Guide(cooldownSeconds: 600, maxInvitesPerMinute: retentionCap, id: Retention));
        var collector = new ReportCollector(new CampaignSet([guide, retention]));
        var random = new Random(seed);
        var invites = new Dictionary<string, long>(StringComparer.Ordinal);
        var minutesWithInvites = new Dictionary<string, int>(StringComparer.Ordinal);
        var pageCategory = new Filter("page.category", FilterOperator.In, AttributeValue.FromStringList(["pricing", "checkout"]), AttributeDataType.StringList);
        long offset = 0;
        long evaluated = 0;
        for (var minute = 0; minute < Minutes; minute++)
        {
            foreach (var (campaign, cap, baseDemand) in new[] { (guide, 30, 26), (retention, retentionCap, 11) })
            {
                var demand = Math.Max(0, baseDemand + (int)(10 * Math.Sin(minute / 4.0)) + random.Next(-3, 4));
                var sent = Math.Min(demand, cap);
                invites[campaign.Id] = invites.GetValueOrDefault(campaign.Id) + sent;
                minutesWithInvites[campaign.Id] = minutesWithInvites.GetValueOrDefault(campaign.Id) + (sent > 0 ? 1 : 0);
                var outcomes = Enumerable.Repeat(OutcomeStatus.WouldDeliver, sent)
                    .Concat(Enumerable.Repeat(OutcomeStatus.Throttled, demand - sent))
                    .Concat(Enumerable.Repeat(OutcomeStatus.Suppressed, random.Next(2, 9)))
                    .Concat(Enumerable.Repeat(OutcomeStatus.Expired, random.Next(0, 2)));
                foreach (var status in outcomes)
                {
                    var reason = status == OutcomeStatus.Suppressed ? (random.Next(5) == 0 ? "suppressed_by_engine" : "cooldown") : null;
                    collector.Count(Outcome(campaign.Id, status, reason, Start.AddMinutes(minute).AddSeconds(random.Next(60)), ++offset));
                    evaluated++;
                }
            }

            // Events that matched no campaign: the guide's silent-failure trap (an attribute missing or
            // sent as the wrong JSON type) and filters doing their job.
            for (var i = random.Next(15, 30); i > 0; i--)
            {
                var (campaign, filter, result) = random.Next(10) switch
                {
                    < 3 => (guide, guide.Filters[0], FilterResult.TypeMismatch(AttributeDataType.Float, AttributeKind.String)),
                    < 5 => (guide, guide.Filters[1], FilterResult.Missing),
                    < 8 => (retention, retention.Filters[2], FilterResult.NotMatched),
                    _ => (retention, pageCategory, FilterResult.Missing),
                };
                collector.Report(EventAt(Start.AddMinutes(minute).AddSeconds(random.Next(60))), campaign, filter, result);
                evaluated++;
            }
        }

        collector.EventsEvaluated = evaluated;
        return new SyntheticRun(collector, invites, minutesWithInvites);
    }

    private static Campaign Campaign(string json) =>
        CampaignReader.Read(json, "test").Campaign ?? throw new InvalidOperationException("the test campaign does not read");

    private static InviteOutcome Outcome(string campaignId, OutcomeStatus status, string? reason, DateTimeOffset at, long offset) => new(
        $"ext:contact-{offset}", campaignId, $"event-{offset}", status, reason, $"behavioral-events:0:{offset}", null, at, at, 1, "behavioral-events", 0, offset, null);

    private sealed record SyntheticRun(ReportCollector Collector, Dictionary<string, long> Invites, Dictionary<string, int> MinutesWithInvites)
    {
        public ReportData Report(string title) => Collector.Build(title);
    }
}
