using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Evaluation;
using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Stages.Data;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Stages.Modeling.Train;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Modeling.Evaluate;

/// <summary>Configuration of <c>evaluate</c>: the cut-offs K of P@K, MRR@K and NDCG@K.</summary>
public sealed record EvaluateConfig(ImmutableArray<int> Cutoffs);

/// <summary>The <c>evaluate</c> stage: the final test metrics per model from the ranks <c>train</c>
/// stored (so one definition of the metrics, <see cref="MetricsAccumulator"/>, serves every model),
/// after checking that every run ranked every test sample exactly once; mean and standard
/// deviation over seeds. No section of its own.</summary>
public sealed class EvaluateStage : IStageModule
{
    public const string Name = "evaluate";
    public static readonly StageInput<MetricsTable> Output = new(Name);
    public const string Version = "1";

    public string Stage => Name;
    public ImmutableArray<string> Sections => [];

    public Validation<Error, IStage> Build(PipelineSections sections, PipelineContext context) =>
        Success<Error, IStage>(Engine.Stages.Stage.Pure(Name, Version, new EvaluateConfig(MetricColumns.Cutoffs), MetricsTableCodec.Instance,
            [TrainStage.Output, SamplesStage.Output],
            (c, inputs, _) => Run(inputs.Get(TrainStage.Output), inputs.Get(SamplesStage.Output), c)));

    /// <summary>Pure.</summary>
    public static Fin<MetricsTable> Run(TrainedModels trained, SampleSet samples, EvaluateConfig config)
    {
        var testIds = samples.Test.Select(s => s.Id).ToImmutableArray();
        var position = new Dictionary<long, int>(testIds.Length);
        for (var i = 0; i < testIds.Length; i++) position[testIds[i]] = i;
        var ranksByRun = trained.Ranks.GroupBy(r => (r.Model, r.Seed)).ToDictionary(g => g.Key, g => g.ToList());

        var runs = ImmutableArray.CreateBuilder<RunMetrics>();
        foreach (var run in trained.Runs)
        {
            if (!ranksByRun.TryGetValue((run.Model, run.Seed), out var rows))
                return ModelingErrors.Inconsistent($"model '{run.Model}' (seed {run.Seed}) has no stored ranks");
            var ranks = new int[testIds.Length];
            foreach (var row in rows)
            {
                if (!position.TryGetValue(row.SampleId, out var p))
                    return ModelingErrors.Inconsistent($"model '{run.Model}' (seed {run.Seed}) ranked sample {row.SampleId}, which is not a test sample");
                if (ranks[p] != 0)
                    return ModelingErrors.Inconsistent($"model '{run.Model}' (seed {run.Seed}) ranked test sample {row.SampleId} twice");
                if (row.Rank < 1)
                    return ModelingErrors.Inconsistent($"model '{run.Model}' (seed {run.Seed}) gave test sample {row.SampleId} rank {row.Rank}");
                ranks[p] = row.Rank;
            }
            if (rows.Count != testIds.Length)
                return ModelingErrors.Inconsistent($"model '{run.Model}' (seed {run.Seed}) ranked {rows.Count} of the {testIds.Length} test samples");
            runs.Add(new RunMetrics(run.Model, run.Seed, run.SelectedEpoch, MetricsAccumulator.FromRanks(ranks, config.Cutoffs), run.PaperBestTest));
        }

        var metricsByRun = runs.ToImmutable();
        var models = trained.Runs.Select((run, i) => (Run: run, Metrics: metricsByRun[i])).GroupBy(p => p.Run.Model).Select(g =>
        {
            var pairs = g.ToList();
            var metrics = pairs.Select(p => p.Metrics.Test).ToList();
            var paper = pairs.Select(p => p.Metrics.PaperBestTest).ToList();
            var first = pairs[0].Run;
            return new ModelSummary(first.Model, first.Family, [.. pairs.Select(p => p.Run.Seed)], testIds.Length,
                Combine(metrics, config.Cutoffs, Mean), Combine(metrics, config.Cutoffs, StandardDeviation),
                paper.All(p => p is not null) ? Combine([.. paper.Select(p => p!)], config.Cutoffs, Mean) : null,
                pairs.Average(p => p.Run.SelectedEpoch), pairs.Average(p => p.Run.EpochsRun));
        });
        return new MetricsTable([.. models], runs.ToImmutable());
    }

    public static RankingMetrics Combine(IReadOnlyList<RankingMetrics> runs, ImmutableArray<int> cutoffs, Func<IReadOnlyList<double>, double> combine) =>
        new(runs[0].Count, [.. cutoffs.Select(k => new MetricsAtK(k,
            combine([.. runs.Select(r => r[k].Precision)]),
            combine([.. runs.Select(r => r[k].Mrr)]),
            combine([.. runs.Select(r => r[k].Ndcg)])))]);

    public static double Mean(IReadOnlyList<double> values) => values.Average();

    /// <summary>Sample standard deviation (n - 1); 0 for a single value.</summary>
    public static double StandardDeviation(IReadOnlyList<double> values)
    {
        if (values.Count < 2) return 0;
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}
