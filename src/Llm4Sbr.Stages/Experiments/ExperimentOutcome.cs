using System.Collections.Immutable;
using Llm4Sbr.Core.Evaluation;
using Llm4Sbr.Stages.Modeling;
using Llm4Sbr.Stages.Modeling.Train;

namespace Llm4Sbr.Stages.Experiments;

/// <summary>What one cell's run produced: whether every stage came from the cache, which stages were
/// computed, the key of its <c>evaluate</c> stage, the test metrics, the per-sample test ranks (for
/// the paired tests) and what made the views it read.</summary>
public sealed record CellResult(
    ExperimentCell Cell,
    bool Cached,
    double Seconds,
    ImmutableArray<string> Computed,
    string EvaluateKey,
    RankingMetrics Metrics,
    ImmutableArray<(long SampleId, int Rank)> Ranks,
    string LlmLabel,
    bool ReadViews,
    bool UsedLlm);

/// <summary>A metric's mean and sample standard deviation (n - 1; 0 for one run) over runs, as fractions.</summary>
public sealed record MetricStat(double Mean, double Std, int Runs);

/// <summary>One model in one variant over its seeds.</summary>
public sealed record ModelOutcome(string Variant, string Model, string Label, ImmutableArray<long> Seeds, ImmutableSortedDictionary<string, MetricStat> Metrics)
{
    public MetricStat this[MetricRef metric] => Metrics[metric.Key];
}

/// <summary>A backbone X against one of its LLM4SBR variants in one pipeline variant: the paired
/// bootstrap on per-sample reciprocal ranks cut at 20 (MRR@20) and hits (P@20).</summary>
public sealed record PairOutcome(string Variant, string Backbone, string Enhanced, PairedTest Mrr20, PairedTest P20);

/// <summary>Everything the experiment's report and figures show. Pure data.</summary>
public sealed record ExperimentOutcome(
    ExperimentPlan Plan,
    string Pipeline,
    string Dataset,
    ImmutableArray<string> Variants,
    ImmutableArray<ModelOutcome> Models,
    ImmutableArray<PairOutcome> Pairs,
    ImmutableArray<CellResult> Cells,
    string LlmLabel,
    bool UsedLlm)
{
    public ModelOutcome? Find(string variant, string model) => Models.FirstOrDefault(m => m.Variant == variant && m.Model == model);

    public ImmutableArray<long> Seeds => [.. Cells.Where(c => !c.Cell.Deterministic).Select(c => c.Cell.Seed).Distinct().Order()];

    /// <summary>Aggregates the cells' results (in plan order): per variant and model the mean and standard
    /// deviation over seeds, and per variant every pair "X vs llm4sbr-X[-ablation]" both listed.</summary>
    public static ExperimentOutcome Build(ExperimentPlan plan, string pipeline, string dataset, ImmutableArray<CellResult> cells,
        int resamples = PairedBootstrap.DefaultResamples)
    {
        var variants = cells.Select(c => c.Cell.Variant).Distinct().ToImmutableArray();
        var models = ImmutableArray.CreateBuilder<ModelOutcome>();
        var pairs = ImmutableArray.CreateBuilder<PairOutcome>();
        foreach (var variant in variants)
        {
            foreach (var model in plan.Models)
            {
                var runs = cells.Where(c => c.Cell.Variant == variant && c.Cell.Model == model).ToList();
                if (runs.Count == 0) continue;
                var metrics = MetricRef.All.ToImmutableSortedDictionary(m => m.Key, m => Stat(runs.Select(r => MetricColumns.Value(r.Metrics, m.Measure, m.K)).ToList()), StringComparer.Ordinal);
                models.Add(new ModelOutcome(variant, model, plan.LabelOf(model), [.. runs.Select(r => r.Cell.Seed)], metrics));
            }
            foreach (var enhanced in plan.Models)
            {
                if (ModelCatalog.BackboneOf(enhanced) is not { } backbone || !plan.Models.Contains(backbone)) continue;
                var a = cells.Where(c => c.Cell.Variant == variant && c.Cell.Model == backbone).SelectMany(c => c.Ranks).ToList();
                var b = cells.Where(c => c.Cell.Variant == variant && c.Cell.Model == enhanced).SelectMany(c => c.Ranks).ToList();
                if (a.Count == 0 || b.Count == 0) continue;
                PairedTest Test(Func<int, double> value)
                {
                    var (x, y) = PairedBootstrap.Align(a, b, value);
                    return PairedBootstrap.Run(x, y, resamples);
                }
                pairs.Add(new PairOutcome(variant, backbone, enhanced,
                    Test(r => PairedBootstrap.ReciprocalRank(r, 20)), Test(r => PairedBootstrap.Hit(r, 20))));
            }
        }
        var readers = cells.Where(c => c.ReadViews).ToList();
        var labels = readers.Select(c => c.LlmLabel).Distinct().ToList();
        var label = labels.Count switch
        {
            0 => "none: no model of this experiment reads views, so no LLM was involved.",
            1 => labels[0],
            _ => "several (the variants differ): " + string.Join(" / ", labels),
        };
        return new ExperimentOutcome(plan, pipeline, dataset, variants, models.ToImmutable(), pairs.ToImmutable(), cells, label, readers.Any(c => c.UsedLlm));
    }

    static MetricStat Stat(IReadOnlyList<double> values)
    {
        var mean = values.Average();
        var std = values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)) : 0;
        return new MetricStat(mean, std, values.Count);
    }
}
