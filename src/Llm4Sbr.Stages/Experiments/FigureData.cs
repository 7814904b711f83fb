using System.Collections.Immutable;
using System.Globalization;
using Llm4Sbr.Stages.Modeling.Train;

namespace Llm4Sbr.Stages.Experiments;

/// <summary>One series of a figure: a bar colour or a line. <see cref="Values"/> and <see cref="Errors"/>
/// (standard deviation over seeds; 0 with one seed) are in percent, one per category or x value; NaN
/// where the plan has no such cell. <see cref="Color"/> indexes the palette (-1: the series' own
/// index); <see cref="Dashed"/> marks a reference line (a model without LLM4SBR).</summary>
public sealed record FigureSeries(string Name, ImmutableArray<double> Values, ImmutableArray<double> Errors, int Color = -1, bool Dashed = false);

/// <summary>A figure to draw, without any drawing: bars (<see cref="Categories"/> on x, one bar per
/// series in each) or lines (<see cref="X"/> on x, labelled by <see cref="Categories"/>).</summary>
public sealed record Figure(
    string FileStem, string Title, string Subtitle, string XLabel, string YLabel, bool Lines,
    ImmutableArray<string> Categories, ImmutableArray<double> X, ImmutableArray<FigureSeries> Series);

/// <summary>Builds the figures of an experiment from its outcome (pure; the CLI draws them):
/// bars-by-metric: one figure, a group per metric, a bar per model (and variant);
/// bars-by-backbone: a figure per metric, a group per backbone, its bar beside LLM4SBR's;
/// lines: a figure, the sweep's values on x, a line per model and metric.</summary>
public static class FigureData
{
    public static ImmutableArray<Figure> Build(ExperimentOutcome outcome)
    {
        var plan = outcome.Plan;
        var subtitle = $"{outcome.Dataset}, test set; views: {ShortLlm(outcome)}; mean over {SeedText(outcome)}";
        return plan.Figure.Kind switch
        {
            FigureKind.BarsByBackbone => [.. plan.Figure.Metrics.Select(m => ByBackbone(outcome, m, subtitle))],
            FigureKind.Lines => [Lines(outcome, subtitle)],
            _ => [ByMetric(outcome, subtitle)],
        };
    }

    static Figure ByMetric(ExperimentOutcome outcome, string subtitle)
    {
        var metrics = outcome.Plan.Figure.Metrics;
        var series = outcome.Models.Select(m => new FigureSeries(
            outcome.Variants.Length > 1 ? $"{m.Label} ({m.Variant})" : m.Label,
            [.. metrics.Select(x => Percent(m[x].Mean))], [.. metrics.Select(x => Percent(m[x].Std))]));
        return new Figure(outcome.Plan.Name, outcome.Plan.Title, subtitle, "metric", "value (%)", false,
            [.. metrics.Select(m => m.Label)], [.. metrics.Select((_, i) => (double)i)], [.. series]);
    }

    static Figure ByBackbone(ExperimentOutcome outcome, MetricRef metric, string subtitle)
    {
        var variant = outcome.Variants[0];
        var backbones = outcome.Plan.Models
            .Select(m => ModelCatalog.BackboneOf(m) ?? (outcome.Plan.Models.Contains(Training.Models.ModelRegistry.Llm4SbrPrefix + m) ? m : null))
            .OfType<string>().Distinct().ToList();
        FigureSeries Series(string name, Func<string, string> model) => new(name,
            [.. backbones.Select(b => outcome.Find(variant, model(b)) is { } o ? Percent(o[metric].Mean) : double.NaN)],
            [.. backbones.Select(b => outcome.Find(variant, model(b)) is { } o ? Percent(o[metric].Std) : double.NaN)]);
        return new Figure($"{outcome.Plan.Name}-{Stem(metric)}", $"{outcome.Plan.Title}: {metric.Label}", subtitle, "backbone", $"{metric.Label} (%)", false,
            [.. backbones.Select(ModelCatalog.DisplayName)], [.. backbones.Select((_, i) => (double)i)],
            [Series("backbone alone", b => b), Series("LLM4SBR(backbone)", b => Training.Models.ModelRegistry.Llm4SbrPrefix + b)]);
    }

    static Figure Lines(ExperimentOutcome outcome, string subtitle)
    {
        var sweep = outcome.Plan.Sweep!;
        var numeric = sweep.Values.All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
        ImmutableArray<double> x = [.. sweep.Values.Select((v, i) => numeric ? double.Parse(v, CultureInfo.InvariantCulture) : i)];
        var series = new List<FigureSeries>();
        // A colour per metric; a model without LLM4SBR is drawn dashed, as a reference.
        foreach (var model in outcome.Plan.Models)
            foreach (var (metric, color) in outcome.Plan.Figure.Metrics.Select((m, i) => (m, i)))
            {
                var points = outcome.Variants.Select(v => outcome.Find(v, model)).ToList();
                series.Add(new FigureSeries($"{outcome.Plan.LabelOf(model)} {metric.Label}",
                    [.. points.Select(p => p is null ? double.NaN : Percent(p[metric].Mean))],
                    [.. points.Select(p => p is null ? double.NaN : Percent(p[metric].Std))],
                    color, !model.StartsWith(Training.Models.ModelRegistry.Llm4SbrPrefix, StringComparison.Ordinal)));
            }
        return new Figure(outcome.Plan.Name, outcome.Plan.Title, subtitle, sweep.Label, "value (%)", true, sweep.Values, x, [.. series]);
    }

    public static string Stem(MetricRef metric) => $"{metric.Measure}{metric.K}";

    static double Percent(double fraction) => fraction * 100;

    static string ShortLlm(ExperimentOutcome outcome) =>
        outcome.Cells.All(c => !c.ReadViews) ? "none read" : outcome.UsedLlm ? "LLM (see report)" : "offline engine, no LLM";

    static string SeedText(ExperimentOutcome outcome) => outcome.Seeds.Length switch
    {
        0 or 1 => "1 seed",
        var n => $"{n} seeds (bars: ± 1 std)",
    };
}
