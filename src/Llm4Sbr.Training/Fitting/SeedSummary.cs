using System.Collections.Immutable;
using Llm4Sbr.Core.Evaluation;

namespace Llm4Sbr.Training.Fitting;

/// <summary>Mean and sample standard deviation of one metric over seeds.</summary>
public readonly record struct MeanStd(double Mean, double Std)
{
    public static MeanStd Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return new(double.NaN, double.NaN);
        double mean = values.Average();
        double std = values.Count < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return new(mean, std);
    }
}

public sealed record MetricsAtKSummary(int K, MeanStd Precision, MeanStd Mrr, MeanStd Ndcg);

/// <summary>A model's test metrics over several seeds (<c>--seeds N</c>): mean and standard deviation per
/// metric and cut-off, plus the selected epoch of each run.</summary>
public sealed record SeedSummary(string Model, int Runs, ImmutableArray<MetricsAtKSummary> AtK, ImmutableArray<int> SelectedEpochs)
{
    public static SeedSummary Of(string model, IReadOnlyList<TrainingResult> runs) => Of(model, runs.Select(r => r.Test).ToArray(), [.. runs.Select(r => r.SelectedEpoch)]);

    public static SeedSummary Of(string model, IReadOnlyList<RankingMetrics> runs, ImmutableArray<int> selectedEpochs)
    {
        var ks = runs.Count == 0 ? [] : runs[0].AtK.Select(a => a.K).ToArray();
        var atK = ks.Select(k => new MetricsAtKSummary(k,
            MeanStd.Of([.. runs.Select(r => r[k].Precision)]),
            MeanStd.Of([.. runs.Select(r => r[k].Mrr)]),
            MeanStd.Of([.. runs.Select(r => r[k].Ndcg)])));
        return new SeedSummary(model, runs.Count, [.. atK], selectedEpochs);
    }
}
