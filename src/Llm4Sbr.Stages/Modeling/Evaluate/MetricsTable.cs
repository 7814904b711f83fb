using System.Collections.Immutable;
using Llm4Sbr.Core.Evaluation;
using Llm4Sbr.Stages.Modeling.Train;

namespace Llm4Sbr.Stages.Modeling.Evaluate;

/// <summary>The test metrics of one run (one model and seed), recomputed from its stored ranks:
/// the selected epoch's (the result) and, when the test set was evaluated every epoch, the
/// paper-practice figures (each metric's maximum over epochs; labelled, never the result).</summary>
public sealed record RunMetrics(string Model, long Seed, int SelectedEpoch, RankingMetrics Test, RankingMetrics? PaperBestTest);

/// <summary>One model over its seeds: <see cref="Mean"/> and <see cref="StandardDeviation"/>
/// (sample standard deviation, n - 1; 0 with one run) of the selected epochs' test metrics,
/// <see cref="PaperBestTest"/> the mean of the runs' paper-practice figures (null when absent),
/// and mean times in wall seconds.</summary>
public sealed record ModelSummary(
    string Model,
    ModelFamily Family,
    ImmutableArray<long> Seeds,
    long TestSamples,
    RankingMetrics Mean,
    RankingMetrics StandardDeviation,
    RankingMetrics? PaperBestTest,
    double SelectedEpochMean,
    double EpochsRunMean)
{
    public int Runs => Seeds.Length;
}

/// <summary>The <c>evaluate</c> stage's output: per model (in the order of <c>models</c>) and per run.</summary>
public sealed record MetricsTable(ImmutableArray<ModelSummary> Models, ImmutableArray<RunMetrics> Runs)
{
    public ModelSummary this[string model] => Models.First(m => m.Model == model);
}
