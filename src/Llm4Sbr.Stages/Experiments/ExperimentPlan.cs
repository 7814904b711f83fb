using System.Collections.Immutable;
using Llm4Sbr.Stages.Modeling;

namespace Llm4Sbr.Stages.Experiments;

/// <summary>One metric of the evaluation: a measure (<c>p</c>, <c>mrr</c>, <c>ndcg</c>) at a cut-off
/// (5, 10, 20), written <c>p@20</c> in plans and JSON, shown <c>P@20</c>.</summary>
public sealed record MetricRef(string Measure, int K)
{
    public string Key => MetricColumns.JsonKey(Measure, K);
    public string Label => $"{MetricColumns.Measures.First(m => m.Name == Measure).Label}@{K}";

    public static ImmutableArray<MetricRef> All { get; } =
        [.. MetricColumns.Measures.SelectMany(m => MetricColumns.Cutoffs.Select(k => new MetricRef(m.Name, k)))];

    public static MetricRef? Parse(string text) =>
        All.FirstOrDefault(m => string.Equals(m.Key, text.Trim(), StringComparison.OrdinalIgnoreCase));
}

/// <summary>How a plan draws its figure: <see cref="BarsByMetric"/> one group of bars per metric, one
/// bar per model (Table 4, Figures 5 and 6); <see cref="BarsByBackbone"/> one PNG per metric, one group
/// per backbone with the backbone's bar beside its LLM4SBR variant's (Table 3); <see cref="Lines"/> the
/// sweep's values on x, one line per model and metric (Figure 7).</summary>
public enum FigureKind { BarsByMetric, BarsByBackbone, Lines }

public sealed record FigureSpec(FigureKind Kind, ImmutableArray<MetricRef> Metrics);

/// <summary>A pipeline key swept over values (each value is a pipeline variant); <see cref="Label"/>
/// names the x axis of a line figure.</summary>
public sealed record Sweep(string Key, ImmutableArray<string> Values, string Label);

/// <summary>An experiment plan (a file in <c>pipelines/experiments/</c>, or any path): the models to
/// compare, with optional display labels, the pipeline keys every cell sets (<see cref="Set"/>, applied
/// in order), an optional sweep, the report's metrics, the figure, the paper table to compare with and
/// the default number of seeds. <see cref="Models"/> is expanded (<c>all-backbones</c> replaced by
/// every registered backbone X followed by <c>llm4sbr-X</c>) and validated.</summary>
public sealed record ExperimentPlan(
    string Name,
    string Title,
    string? Description,
    ImmutableArray<string> Models,
    ImmutableSortedDictionary<string, string> Labels,
    ImmutableArray<KeyValuePair<string, string>> Set,
    Sweep? Sweep,
    ImmutableArray<MetricRef> Metrics,
    FigureSpec Figure,
    string? Paper,
    int Seeds,
    string File)
{
    public string LabelOf(string model) => Labels.TryGetValue(model, out var label) ? label : Modeling.Train.ModelCatalog.DisplayName(model);
}
