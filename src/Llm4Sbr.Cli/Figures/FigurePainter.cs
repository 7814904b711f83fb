using System.Globalization;
using Llm4Sbr.Stages.Experiments;
using ScottPlot;

namespace Llm4Sbr.Cli.Figures;

/// <summary>Draws a <see cref="Figure"/> (built purely by <see cref="FigureData"/>) into a PNG with
/// ScottPlot: grouped bars with their values on top and ± std error bars when there are several seeds,
/// or lines with markers; axis labels name the metric and its unit (%). Written atomically (a temporary
/// file renamed over the target) and checked to be a non-empty PNG.</summary>
public static class FigurePainter
{
    public const int Width = 1100;
    public const int Height = 640;

    public static void WritePng(Figure figure, string path)
    {
        var plot = Draw(figure);
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileNameWithoutExtension(path)}.{Guid.NewGuid():N}.png");
        try
        {
            plot.SavePng(temporary, Width, Height);
            var bytes = File.ReadAllBytes(temporary);
            if (bytes.Length < 8 || bytes[0] != 0x89 || bytes[1] != (byte)'P' || bytes[2] != (byte)'N' || bytes[3] != (byte)'G')
                throw new IOException($"the figure {path} was not written as a PNG ({bytes.Length} bytes)");
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    static Plot Draw(Figure figure)
    {
        var plot = new Plot();
        plot.Title($"{figure.Title}\n{figure.Subtitle}", size: 16);
        plot.XLabel(figure.XLabel, size: 15);
        plot.YLabel(figure.YLabel, size: 15);
        var max = figure.Series.SelectMany(s => s.Values.Zip(s.Errors, (v, e) => v + (double.IsNaN(e) ? 0 : e))).Where(double.IsFinite).DefaultIfEmpty(1).Max();
        var top = Math.Max(max, 0.01) * 1.22;
        if (figure.Lines) DrawLines(plot, figure);
        else DrawBars(plot, figure, PlotAreaHeight / top);
        plot.Axes.SetLimitsY(0, top);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 14;
        plot.Axes.Left.TickLabelStyle.FontSize = 13;
        plot.Legend.FontSize = 13;
        plot.ShowLegend(Alignment.UpperLeft, Orientation.Horizontal);
        return plot;
    }

    /// <summary>About the data area's height in pixels (the image less title, axis labels and ticks): it
    /// places a bar's value label above its error bar.</summary>
    const double PlotAreaHeight = Height - 130;

    static void DrawBars(Plot plot, Figure figure, double pixelsPerUnit)
    {
        var series = figure.Series.Length;
        const double groupWidth = 0.8;
        var width = groupWidth / Math.Max(series, 1);
        var bars = new List<Bar>();
        for (var s = 0; s < series; s++)
        {
            var color = Palette(s);
            for (var c = 0; c < figure.Categories.Length; c++)
            {
                var value = figure.Series[s].Values[c];
                if (!double.IsFinite(value)) continue;
                var error = figure.Series[s].Errors[c];
                bars.Add(new Bar
                {
                    Position = c - groupWidth / 2 + width * (s + 0.5),
                    Value = value,
                    Error = double.IsFinite(error) && error > 0 ? error : 0,
                    Size = width * 0.92,
                    FillColor = color,
                    Label = value.ToString("0.00", CultureInfo.InvariantCulture),
                    LabelOffset = (float)((double.IsFinite(error) ? error : 0) * pixelsPerUnit) + 3,
                });
            }
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = figure.Series[s].Name, FillColor = color });
        }
        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = series > 4 ? 10 : 12;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. figure.Categories.Select((_, i) => (double)i)], [.. figure.Categories]);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.SetLimitsX(-0.6, figure.Categories.Length - 0.4);
    }

    static void DrawLines(Plot plot, Figure figure)
    {
        var markers = new[] { MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond };
        for (var s = 0; s < figure.Series.Length; s++)
        {
            var points = figure.X.Zip(figure.Series[s].Values, (x, y) => (x, y)).Where(p => double.IsFinite(p.y)).ToArray();
            if (points.Length == 0) continue;
            var color = Palette(figure.Series[s].Color < 0 ? s : figure.Series[s].Color);
            var line = plot.Add.Scatter(points.Select(p => p.x).ToArray(), points.Select(p => p.y).ToArray(), color);
            line.LegendText = figure.Series[s].Name;
            line.LineWidth = 2.5f;
            line.MarkerSize = 9;
            line.MarkerShape = figure.Series[s].Color < 0 ? markers[s % markers.Length]
                : figure.Series[s].Dashed ? MarkerShape.OpenCircle : MarkerShape.FilledCircle; // a colour per metric, the marker tells the model
            if (figure.Series[s].Dashed) line.LinePattern = LinePattern.Dashed;
            var errors = figure.Series[s].Errors.Where(double.IsFinite).ToArray();
            if (errors.Length == points.Length && errors.Any(e => e > 0))
            {
                var bars = plot.Add.ErrorBar(points.Select(p => p.x).ToArray(), points.Select(p => p.y).ToArray(), errors);
                bars.Color = color;
            }
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. figure.X], [.. figure.Categories]);
        var span = figure.X.Max() - figure.X.Min();
        plot.Axes.SetLimitsX(figure.X.Min() - span * 0.05 - 0.1, figure.X.Max() + span * 0.05 + 0.1);
    }

    static Color Palette(int index) => new ScottPlot.Palettes.Category10().GetColor(index);
}
