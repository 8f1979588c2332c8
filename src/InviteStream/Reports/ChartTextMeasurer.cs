using OxyPlot;

namespace InviteStream.Reports;

/// <summary>
/// Measures chart text for <see cref="SvgExporter"/> in the SVG's own units. The exporter's default,
/// a <see cref="PdfRenderContext"/>, takes font sizes as pixels and measures them as points, so every
/// label came out three quarters of its width and long campaign ids ran into the plot area.
/// Helvetica metrics stay right for the browser: the charts ask for Arial (Liberation Sans on Linux,
/// the same widths).
/// </summary>
internal sealed class ChartTextMeasurer : PdfRenderContext
{
    private const double PointsPerPixel = 72.0 / 96.0;

    public ChartTextMeasurer()
        : base(1, 1, OxyColors.Undefined)
    {
    }

    public override OxySize MeasureText(string text, string fontFamily, double fontSize, double fontWeight)
    {
        var size = base.MeasureText(text, fontFamily, fontSize, fontWeight);
        return new OxySize(size.Width / PointsPerPixel, size.Height / PointsPerPixel);
    }
}
