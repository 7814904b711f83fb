using System.Collections.Immutable;
using System.Diagnostics;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Core.Errors;
using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Graphs;
using Llm4Sbr.Training.Evaluation;
using Llm4Sbr.Training.Models;
using Llm4Sbr.Training.Optimisation;
using Llm4Sbr.Training.Fitting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Benchmarks;

public enum BenchmarkViewFill { Random, Zero }

/// <summary>How the models' epochs share the machine. <see cref="Interleaved"/>: every model runs its
/// own epoch (its own batch order), batch by batch in turn (A B, then B A, ...), and each epoch is the
/// sum of its model's batches, so a drift in the machine's speed falls on all models alike.
/// <see cref="Sequential"/>: whole epochs one after another (A B, then B A), as a training run has
/// the machine, but exposed to drift between them (on a shared VM, 10-30 % from one minute to the next).</summary>
public enum BenchmarkEpochOrder { Interleaved, Sequential }

/// <summary>What to time. Views the models need are synthesised (<see cref="ViewFill"/>, dimension
/// <see cref="ViewDim"/>) for every sample, since speed does not depend on their content.
/// <see cref="Epochs"/> = 0 times only <see cref="Steps"/> steps.</summary>
public sealed record BenchmarkOptions
{
    public ImmutableArray<string> Models { get; init; } = ModelRegistry.DefaultModels;
    public int WarmupSteps { get; init; } = 10;
    public int Steps { get; init; } = 200;
    public int Epochs { get; init; } = 1;
    public BenchmarkEpochOrder EpochOrder { get; init; } = BenchmarkEpochOrder.Interleaved;
    public bool Evaluate { get; init; } = true;
    public int ViewDim { get; init; } = 384;
    public BenchmarkViewFill ViewFill { get; init; } = BenchmarkViewFill.Random;
    public int BatchSize { get; init; } = 100;
    public int EvaluationBatchSize { get; init; } = 500;
    public DeviceChoice Device { get; init; } = DeviceChoice.Auto;
    public int? Threads { get; init; }
    public ulong Seed { get; init; } = 1;
    public ModelOptions ModelOptions { get; init; } = ModelOptions.Default;
    public bool FusedCpuAdam { get; init; } = true;
}

/// <summary>Timings of one model: per-step wall times over <see cref="Steps"/> steps after warm-up, each
/// full epoch's wall time, and the evaluation of the test samples. The <c>Cpu</c> figures are the
/// process's CPU time over the same spans (all threads): on a machine shared with other busy processes
/// they estimate the work better than wall time, which also counts the waits for a core.</summary>
public sealed record ModelBenchmark(
    string Model, int Steps, double MeanStepMs, double MedianStepMs, double P90StepMs, double CpuMsPerStep,
    ImmutableArray<double> EpochSeconds, ImmutableArray<double> EpochCpuSeconds, int EpochSamples,
    double? EvaluationSeconds, double? EvaluationCpuSeconds, int EvaluatedSamples, long LiveTensorsAfter);

/// <summary>One model's cost over another's, from the same run: mean epoch time (null unless both ran
/// epochs), median step, and CPU time per step.</summary>
public sealed record CostRatio(string Model, string Against, double? Epoch, double? Step, double? StepCpu);

/// <summary>The benchmark's figures. <see cref="Ratios"/> holds, for every model measured beside its
/// reference, its cost over that reference's: each LLM4SBR model over its backbone, and each other
/// backbone over SR-GNN. Memory is the process's peak resident set. <see cref="MklKernels"/> says
/// whether MKL ran its AVX2 kernels on an AMD processor (see <see cref="MklAmdDispatch"/>).</summary>
public sealed record BenchmarkReport(
    string Device, string MklKernels, int Threads, int TrainSamples, int TestSamples, int Items, double PrepareSeconds,
    ImmutableArray<ModelBenchmark> Models, ImmutableArray<CostRatio> Ratios, long PeakWorkingSetBytes);

/// <summary>Times training steps, epochs and evaluation on prepared samples (the integrator exposes it
/// in the CLI). The models are measured side by side, not one after the other: steps alternate, and
/// so do epochs' batches (or whole epochs, A B then B A: <see cref="BenchmarkEpochOrder"/>), so that the
/// ratios compare the models under the same machine conditions.
/// Effects: torch, the clock; the figures are as noisy as the machine.</summary>
public static class TrainingBenchmark
{
    public static Fin<BenchmarkReport> Run(
        IReadOnlyList<Sample> train, IReadOnlyList<Sample> test, ItemVocabulary vocabulary, BenchmarkOptions options,
        ILogger? logger = null, IProgress<TrainingProgress>? progress = null)
    {
        var kernels = TorchRuntime.Prepare();
        logger ??= NullLogger.Instance;
        logger.LogInformation("benchmark: torch runtime {Outcome}, {Detail}", kernels.Outcome, kernels.Detail);
        var allocator = NativeAllocatorTuning.Apply();
        logger.LogInformation("benchmark: native allocator {Outcome}, {Detail}", allocator.Outcome, allocator.Detail);
        return from specs in options.Models.Select(ModelRegistry.Find).AllOrFirstError()
               from device in TorchDevices.Resolve(options.Device)
               from report in Measure(specs, device, $"{kernels.Outcome}: {kernels.Detail}", train, test, vocabulary, options, logger, progress)
               select report;
    }

    static Fin<BenchmarkReport> Measure(
        ImmutableArray<ModelSpec> specs, Device device, string kernels, IReadOnlyList<Sample> train, IReadOnlyList<Sample> test,
        ItemVocabulary vocabulary, BenchmarkOptions options, ILogger logger, IProgress<TrainingProgress>? progress)
    {
        TorchDevices.SetThreads(options.Threads);
        var clock = Stopwatch.StartNew();
        var viewNames = specs.SelectMany(s => s.ViewNames).Distinct().ToArray();
        var views = viewNames.Select((v, i) => Synthesize(v, [.. train, .. test], options, (ulong)i)).ToArray();
        return TrainingData.Build(train, test, vocabulary, views, new ValidationOptions(Fraction: 0)).Bind(data =>
        {
            double prepareSeconds = clock.Elapsed.TotalSeconds;
            logger.LogInformation("benchmark: prepared {Train} train and {Test} test samples in {Seconds:F2} s", train.Count, test.Count, prepareSeconds);
            return GraphsFor(specs, train, vocabulary, logger).Bind(graphs =>
            {
                // every subject made is kept here, so that those made before a failure are disposed too
                var subjects = new List<Subject>();
                try
                {
                    return specs.Select(spec => Subject.Create(spec, data, device, options, graphs).Map(Kept)).AllOrFirstError().Map(_ =>
                    {
                        TimeSteps(subjects, options, logger);
                        TimeEpochs(subjects, options, logger, progress);
                        var results = subjects.Select(x => x.Finish(options, logger)).ToImmutableArray();
                        using var process = Process.GetCurrentProcess();
                        return new BenchmarkReport(device.type.ToString(), kernels, get_num_threads(), train.Count, test.Count, vocabulary.Count,
                            prepareSeconds, results, Ratios(results, [.. subjects.Select(x => x.Spec)]), process.PeakWorkingSet64);
                    });
                }
                finally
                {
                    foreach (var x in subjects) x.Dispose();
                }

                Subject Kept(Subject subject)
                {
                    subjects.Add(subject);
                    return subject;
                }
            });
        });
    }

    /// <summary>The training-wide graphs the models need (official settings), timed as the <c>graphs</c>
    /// stage would build them. The benchmark has samples, not sessions: each training session is its
    /// longest prefix plus that prefix's target (exact for all-prefix samples).</summary>
    private static Fin<ItemGraphs> GraphsFor(ImmutableArray<ModelSpec> specs, IReadOnlyList<Sample> train, ItemVocabulary vocabulary, ILogger logger)
    {
        var needs = specs.Aggregate(GraphNeeds.None, (all, spec) => all | ModelRegistry.GraphsOf(spec));
        if (needs == GraphNeeds.None) return ItemGraphs.None;
        var clock = Stopwatch.StartNew();
        var graphs = Graphs(train, new GraphsOptions(needs.HasFlag(GraphNeeds.GlobalItemGraph) ? new GlobalGraphOptions() : null, needs.HasFlag(GraphNeeds.ItemHypergraph)));
        logger.LogInformation("benchmark: built the training graphs ({Needs}) in {Seconds:F2} s", needs, clock.Elapsed.TotalSeconds);
        return graphs.ForVocabulary(vocabulary);
    }

    /// <summary>The training graphs of all-prefix training samples: each session is its longest prefix
    /// plus that prefix's target.</summary>
    public static TrainingGraphs Graphs(IReadOnlyList<Sample> train, GraphsOptions options)
    {
        var sessions = train.GroupBy(s => s.SessionId).OrderBy(g => g.Key)
            .Select(g => g.MaxBy(s => s.Prefix.Length)!)
            .Select(s => new Session(s.SessionId, s.SessionId, 0, [.. s.Prefix, s.Target]))
            .ToList();
        return TrainingGraphs.Build(sessions, train, options);
    }

    /// <summary>Each LLM4SBR model over its backbone, each other backbone over SR-GNN, where both were measured.</summary>
    public static ImmutableArray<CostRatio> Ratios(ImmutableArray<ModelBenchmark> results, ImmutableArray<ModelSpec> specs)
    {
        var byName = results.ToDictionary(r => r.Model);
        var ratios = ImmutableArray.CreateBuilder<CostRatio>();
        foreach (var spec in specs)
        {
            var against = spec.IsLlm4Sbr ? spec.Backbone : spec.Name != ModelRegistry.SrGnnName ? ModelRegistry.SrGnnName : null;
            if (against is null || !byName.TryGetValue(against, out var reference)) continue;
            var model = byName[spec.Name];
            ratios.Add(new CostRatio(spec.Name, against,
                model.EpochSeconds.Length > 0 && reference.EpochSeconds.Length > 0 ? model.EpochSeconds.Average() / reference.EpochSeconds.Average() : null,
                model.Steps > 0 && reference.Steps > 0 ? model.MedianStepMs / reference.MedianStepMs : null,
                model.Steps > 0 && reference.Steps > 0 ? model.CpuMsPerStep / reference.CpuMsPerStep : null));
        }
        return ratios.ToImmutable();
    }

    /// <summary>Steps alternate between the models (A B A B ...), so a drift in the machine's speed
    /// (a shared VM's host) falls on all of them alike instead of on whichever ran later.</summary>
    private static void TimeSteps(List<Subject> subjects, BenchmarkOptions options, ILogger logger)
    {
        for (int i = 0; i < options.WarmupSteps; i++)
            foreach (var x in subjects) x.Step(i);
        for (int i = 0; i < options.Steps; i++)
            foreach (var x in subjects) x.TimedStep(options.WarmupSteps + i);
        foreach (var x in subjects)
            logger.LogInformation("benchmark {Model}: {Steps} steps, mean {Mean:F2} ms, median {Median:F2} ms",
                x.Spec.Name, options.Steps, x.StepMs.DefaultIfEmpty().Average(), Percentile([.. x.StepMs.Order()], 0.5));
    }

    private static void TimeEpochs(List<Subject> subjects, BenchmarkOptions options, ILogger logger, IProgress<TrainingProgress>? progress)
    {
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            if (options.EpochOrder == BenchmarkEpochOrder.Sequential)
                // A B order for odd epochs and B A for even ones: with two epochs a linear drift cancels
                // out of the mean epoch of each model.
                foreach (var x in epoch % 2 == 1 ? subjects : Enumerable.Reverse(subjects))
                {
                    x.BeginEpoch(epoch, options);
                    for (int b = 0; b < x.EpochBatches; b++) x.TimedEpochBatch(b, progress);
                    x.EndEpoch();
                }
            else
            {
                foreach (var x in subjects) x.BeginEpoch(epoch, options);
                foreach (var (subject, batch) in InterleavedSchedule([.. subjects.Select(x => x.EpochBatches)]))
                    subjects[subject].TimedEpochBatch(batch, progress);
                foreach (var x in subjects) x.EndEpoch();
            }
            foreach (var x in subjects)
                logger.LogInformation("benchmark {Model}: epoch {Epoch} of {Samples} samples in {Seconds:F1} s ({Order})",
                    x.Spec.Name, epoch, x.Fit.Count, x.LastEpochSeconds, options.EpochOrder);
        }
    }

    /// <summary>The turns of an interleaved epoch, as (subject, batch): round r runs batch r of every
    /// subject that has one, in subject order on even rounds and in reverse on odd ones, so that no
    /// model always runs right after the same one (whose data it finds in the caches, or not). Pure.</summary>
    public static IEnumerable<(int Subject, int Batch)> InterleavedSchedule(IReadOnlyList<int> batchesPerSubject)
    {
        int rounds = batchesPerSubject.DefaultIfEmpty(0).Max();
        for (int round = 0; round < rounds; round++)
            for (int k = 0; k < batchesPerSubject.Count; k++)
            {
                int subject = round % 2 == 0 ? k : batchesPerSubject.Count - 1 - k;
                if (round < batchesPerSubject[subject]) yield return (subject, round);
            }
    }

    /// <summary>One model under measurement: its module, optimiser and batch order, and its timings.</summary>
    private sealed class Subject : IDisposable
    {
        private readonly SessionModel model;
        private readonly IParameterUpdater optimizer;
        private readonly ArraySegment<int>[] slices;
        private readonly TrainingData data;
        private readonly Device device;
        private readonly ImmutableArray<double>.Builder epochSeconds = ImmutableArray.CreateBuilder<double>();
        private readonly ImmutableArray<double>.Builder epochCpuSeconds = ImmutableArray.CreateBuilder<double>();
        private TimeSpan stepsCpu;
        private ArraySegment<int>[] epochSlices = [];
        private int epoch, epochsTotal;
        private TimeSpan epochElapsed, epochCpu;

        private Subject(ModelSpec spec, SessionModel model, IParameterUpdater optimizer, TrainingData data, Device device, ArraySegment<int>[] slices)
        {
            Spec = spec; this.model = model; this.optimizer = optimizer; this.data = data; this.device = device; this.slices = slices;
        }

        public ModelSpec Spec { get; }
        public TrainingSplit Fit => data.Fit;
        public List<double> StepMs { get; } = [];

        public static Fin<Subject> Create(ModelSpec spec, TrainingData data, Device device, BenchmarkOptions options, ItemGraphs? graphs)
        {
            var dims = spec.ViewNames.ToImmutableSortedDictionary(v => v, _ => options.ViewDim);
            return ModelRegistry.Create(spec, data.Vocabulary.Size, options.ModelOptions, dims, options.Seed, graphs: graphs).Map(model =>
            {
                model.to(device);
                model.train();
                var optimizer = ParameterUpdaters.Adam(model, new AdamSettings(), device, options.FusedCpuAdam, get_num_threads());
                // The steps' batches: an epoch 0 no trainer runs, so the timed epochs start afresh.
                return new Subject(spec, model, optimizer, data, device, TrainingStep.Batches(data.Fit.Count, options.Seed, 0, options.BatchSize));
            });
        }

        public void Step(int i) => TrainingStep.Run(model, optimizer, data.Fit, slices[i % slices.Length], device);

        public void TimedStep(int i)
        {
            var cpu = CpuTime();
            long start = Stopwatch.GetTimestamp();
            Step(i);
            StepMs.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            stepsCpu += CpuTime() - cpu;
        }

        public int EpochBatches => epochSlices.Length;
        public double LastEpochSeconds => epochSeconds[^1];

        /// <summary>Starts epoch <paramref name="epoch"/>: the trainer's batches for it
        /// (<see cref="TrainingStep.Batches"/>), their making timed as part of the epoch.</summary>
        public void BeginEpoch(int epoch, BenchmarkOptions options)
        {
            var cpu = CpuTime();
            long start = Stopwatch.GetTimestamp();
            epochSlices = TrainingStep.Batches(data.Fit.Count, options.Seed, epoch, options.BatchSize);
            this.epoch = epoch;
            epochsTotal = options.Epochs;
            epochElapsed = Stopwatch.GetElapsedTime(start);
            epochCpu = CpuTime() - cpu;
        }

        /// <summary>Batch <paramref name="b"/> of the current epoch, its wall and CPU time added to the epoch's.</summary>
        public void TimedEpochBatch(int b, IProgress<TrainingProgress>? progress)
        {
            var cpu = CpuTime();
            long start = Stopwatch.GetTimestamp();
            TrainingStep.Run(model, optimizer, data.Fit, epochSlices[b], device);
            epochElapsed += Stopwatch.GetElapsedTime(start);
            epochCpu += CpuTime() - cpu;
            if ((b + 1) % 100 == 0) progress?.Report(new TrainingProgress(Spec.Name, TrainingPhase.Training, epoch, epochsTotal, b + 1, epochSlices.Length, double.NaN));
        }

        public void EndEpoch()
        {
            epochSeconds.Add(epochElapsed.TotalSeconds);
            epochCpuSeconds.Add(epochCpu.TotalSeconds);
        }

        /// <summary>Evaluates the test samples (if asked) and returns the figures.</summary>
        public ModelBenchmark Finish(BenchmarkOptions options, ILogger logger)
        {
            double? evaluationSeconds = null, evaluationCpuSeconds = null;
            if (options.Evaluate && data.Test.Count > 0)
            {
                var clock = Stopwatch.StartNew();
                var cpu = CpuTime();
                ModelEvaluation.Evaluate(model, data.Test, device, options.EvaluationBatchSize);
                evaluationSeconds = clock.Elapsed.TotalSeconds;
                evaluationCpuSeconds = (CpuTime() - cpu).TotalSeconds;
                logger.LogInformation("benchmark {Model}: evaluated {Samples} samples in {Seconds:F2} s", Spec.Name, data.Test.Count, evaluationSeconds);
            }
            double[] sorted = [.. StepMs.Order()];
            return new ModelBenchmark(Spec.Name, sorted.Length, sorted.DefaultIfEmpty().Average(), Percentile(sorted, 0.5), Percentile(sorted, 0.9),
                stepsCpu.TotalMilliseconds / Math.Max(1, sorted.Length), epochSeconds.ToImmutable(), epochCpuSeconds.ToImmutable(), data.Fit.Count,
                evaluationSeconds, evaluationCpuSeconds, data.Test.Count, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }

        public void Dispose()
        {
            optimizer.Dispose();
            model.Dispose();
        }
    }

    // The process's CPU time, all threads (getrusage: cheap enough to take around every batch).
    private static TimeSpan CpuTime() => Environment.CpuUsage.TotalTime;

    private static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];

    private static SampleViewEmbeddings Synthesize(string view, IReadOnlyList<Sample> samples, BenchmarkOptions options, ulong stream)
    {
        var matrix = EmbeddingMatrix.Create(samples.Count, options.ViewDim);
        if (options.ViewFill == BenchmarkViewFill.Random)
        {
            var random = new Random(unchecked((int)(options.Seed * 31 + stream)));
            for (int i = 0; i < matrix.Data.Length; i++) matrix.Data[i] = (float)(random.NextDouble() * 2 - 1);
        }
        return new SampleViewEmbeddings(view, [.. samples.Select(s => s.Id)], matrix);
    }
}
