using Llm4Sbr.Engine.Errors;
using System.Collections.Immutable;
using System.Diagnostics;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Errors;
using Llm4Sbr.Engine.Dataflow;
using Llm4Sbr.Engine.Graph;
using Llm4Sbr.Engine.Memo;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Stages.Modeling.Batches;
using Llm4Sbr.Stages.Modeling.Train;
using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Checkpoints;
using Llm4Sbr.Training.Fitting;
using Microsoft.Extensions.Logging;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Modeling.Benchmarks;

/// <summary>One model's figures from a benchmark run: wall seconds per training epoch (neural), of
/// the fit (baselines) and of one test evaluation, and its P@20 and MRR@20 (fractions).</summary>
public sealed record ModelTiming(string Model, string Family, int Epochs, double SecondsPerEpoch, double FitSeconds, double EvaluationSeconds, double P20, double Mrr20);

/// <summary>The figures of <see cref="ModelingBenchmark.RunAsync"/>. <see cref="TestEvaluationSeconds"/>
/// times one evaluation of the test set by each neural model reloaded from its checkpoint (the
/// per-epoch figure in <see cref="ModelTiming.EvaluationSeconds"/> includes validation).</summary>
public sealed record ModelingBenchmarkReport(
    string Pipeline, int FitSamples, int ValidationSamples, int TestSamples, int Items,
    ImmutableSortedDictionary<string, double> StageSeconds, ImmutableArray<ModelTiming> Models,
    ImmutableSortedDictionary<string, double> TestEvaluationSeconds, long PeakWorkingSetBytes);

/// <summary>Times the modeling stages through the engine on a pipeline file: the run goes through
/// <c>train</c> with <paramref name="overrides"/> (models, epochs, ...) into the cache at
/// <c>cacheRoot</c> (use a fresh folder to time everything). Effects: files, the clock, Torch.</summary>
public static class ModelingBenchmark
{
    public static Task<Fin<ModelingBenchmarkReport>> RunAsync(
        string pipelineFile, string cacheRoot, ModelingOverrides overrides, ILogger logger, CancellationToken ct)
    {
        var catalog = ProductCatalog.Create(modeling: overrides);
        return PipelineLoader.LoadFile(PipelineSource.ForFile(pipelineFile), catalog).ToFin()
            .BindAsync(pipeline => PipelinePlanner.PlanAsync(pipeline, new PlanOptions(Until: TrainStage.Name), new FileFingerprints(), ct)
                .BindAsync(plan => MeasureAsync(pipeline, plan, cacheRoot, logger, ct)));
    }

    static async Task<Fin<ModelingBenchmarkReport>> MeasureAsync(PipelineDefinition pipeline, PipelinePlan plan, string cacheRoot, ILogger logger,
        CancellationToken ct)
    {
        var store = new MemoStore(cacheRoot, logger, TimeProvider.System);
        var run = await new PipelineRunner(store, logger).RunAsync(plan, null, null, ct).ConfigureAwait(false);
        if (!run.Succeeded) return run.FirstError!;

        var trained = await run.OutputAsync<TrainedModels>(TrainStage.Name, ct).ConfigureAwait(false);
        var batches = await run.OutputAsync<BatchSet>(BatchesStage.Name, ct).ConfigureAwait(false);
        // The training-wide graphs, planned when a listed model's backbone needs them (GCE-GNN).
        var graphs = run.Stages.Any(s => s.Name == Graphs.GraphsStage.Name)
            ? await run.OutputAsync<Training.Graphs.TrainingGraphs>(Graphs.GraphsStage.Name, ct).ConfigureAwait(false)
            : Training.Graphs.TrainingGraphs.None;
        return from t in trained
               from b in batches
               from g in graphs
               from testSeconds in TimeTestEvaluation(t, new TrainingSplit(b.Test, ViewTable.None), g, logger)
               select Report(pipeline, run, t, testSeconds);
    }

    /// <summary>One evaluation of the test set by each neural model reloaded from its checkpoint, after a warm-up.</summary>
    static Fin<ImmutableSortedDictionary<string, double>> TimeTestEvaluation(TrainedModels t, TrainingSplit test, Training.Graphs.TrainingGraphs graphs,
        ILogger logger) =>
        t.Runs.Where(r => r.Family == ModelFamily.Neural && r.Checkpoint.Length > 0).GroupBy(r => r.Model).Select(g => g.First())
            .Select(neural => TrainedCheckpoints.Load(t, neural, DeviceChoice.Auto, graphs).Map(model =>
            {
                using var weights = model;
                weights.Evaluate(test); // warm-up
                var clock = Stopwatch.StartNew();
                weights.Evaluate(test);
                logger.LogInformation("{Model}: evaluated {Samples} test samples in {Seconds:F2} s", neural.Model, test.Count, clock.Elapsed.TotalSeconds);
                return (neural.Model, Seconds: clock.Elapsed.TotalSeconds);
            }))
            .AllOrFirstError()
            .Map(all => all.ToImmutableSortedDictionary(x => x.Model, x => x.Seconds, StringComparer.Ordinal));

    static ModelingBenchmarkReport Report(PipelineDefinition pipeline, RunResult run, TrainedModels t, ImmutableSortedDictionary<string, double> testSeconds)
    {
        var measured = run.Stages.First(s => s.Name == TrainStage.Name).Measurements;
        double Measured(string model, string name) => TrainMeasurements.Mean(measured, model, name);
        var timings = t.Runs.Select(r => new ModelTiming(r.Model, TrainedModelsCodec.FamilyName(r.Family), r.EpochsRun,
            Measured(r.Model, TrainMeasurements.SecondsPerEpoch), Measured(r.Model, TrainMeasurements.FitSeconds),
            Measured(r.Model, TrainMeasurements.EvaluationSeconds), r.Test[20].Precision, r.Test[20].Mrr));
        return new ModelingBenchmarkReport(pipeline.Name, t.Facts.FitSamples, t.Facts.ValidationSamples, t.Facts.TestSamples, t.Facts.Items,
            run.Stages.ToImmutableSortedDictionary(s => s.Name, s => s.Seconds, StringComparer.Ordinal), [.. timings],
            testSeconds, Process.GetCurrentProcess().PeakWorkingSet64);
    }
}
