using System.Collections.Immutable;
using System.Diagnostics;
using LanguageExt;
using Llm4Sbr.Core.Errors;
using LanguageExt.Common;
using Llm4Sbr.Core.Evaluation;
using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Checkpoints;
using Llm4Sbr.Training.Evaluation;
using Llm4Sbr.Training.Models;
using Llm4Sbr.Training.Optimisation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Llm4Sbr.Training.Fitting;

/// <summary>The result of <see cref="Trainer.Train"/>: the figures, and the model at the selected
/// epoch (dispose it, or save it as a checkpoint first).</summary>
public sealed record TrainingOutcome(TrainingResult Result, TrainedModel Model);

/// <summary>The <c>train</c> stage: trains one named model on <see cref="TrainingData"/>, selects the
/// epoch on validation, and reports the test metrics of that epoch.</summary>
public static class Trainer
{
    public const string Version = "3"; // 2: item table without padding row (checkpoint format 2); 3: default generator seeded per fit (dropout repeatable)

    /// <param name="checkpoints">Where the run keeps a checkpoint after each epoch and resumes from the
    /// latest one (null: neither).</param>
    public static Fin<TrainingOutcome> Train(
        string modelName, TrainingData data, ModelOptions modelOptions, TrainerOptions options,
        ILogger? logger = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default,
        IEpochCheckpoints? checkpoints = null)
    {
        var kernels = TorchRuntime.Prepare();
        logger ??= NullLogger.Instance;
        // Prepare applied both settings; a failed one is worth a warning, training goes on.
        foreach (var (name, setting) in new[] { ("torch runtime", kernels), ("native allocator", NativeAllocatorTuning.Apply()) })
            logger.Log(setting.Outcome == NativeSettingOutcome.Failed ? LogLevel.Warning : LogLevel.Debug,
                "{Setting}: {Outcome}, {Detail}", name, setting.Outcome, setting.Detail);
        return from spec in ModelRegistry.Find(modelName)
               from device in TorchDevices.Resolve(options.Device)
               from viewDims in ViewDimensions(spec, data)
               let prepared = WithFormat(spec, data)
               from _ in Admissible(spec, prepared, options)
               from graphs in GraphsFor(spec, prepared)
               from module in CreateModel(spec, prepared, modelOptions, viewDims, graphs, options)
               from outcome in Run(new TrainedModel(spec, modelOptions, prepared.Vocabulary, viewDims, selectedEpoch: 0, options, module.to(device), device),
                   prepared, options, logger, progress, cancellation, checkpoints)
               select outcome;
    }

    /// <summary>What must hold before any weight is made: training samples, positive settings, and the
    /// item texts an LLM2X model starts from.</summary>
    private static Fin<Unit> Admissible(ModelSpec spec, TrainingData data, TrainerOptions options)
    {
        if (data.Fit.Count == 0) return Error.New($"model '{spec.Name}': no training samples");
        if (options.Epochs < 1 || options.BatchSize < 1 || options.Patience < 1)
            return Error.New($"model '{spec.Name}': epochs, batch size and patience must be at least 1 (got {options.Epochs}, {options.BatchSize}, {options.Patience})");
        if (!(options.MinGain >= 0))
            return Error.New($"model '{spec.Name}': the least validation gain must be 0 or more (got {options.MinGain})");
        if (spec.InitialisesItemsFromText && data.ItemTexts is null)
            return Error.New($"model '{spec.Name}' starts its item table from the items' text embeddings, and the training data has none");
        return Unit.Default;
    }

    /// <summary>The seeded model, after the process's torch threads are set (process-wide, as the options say)
    /// and torch's default generator is seeded with the run's seed. The weights come from a private generator;
    /// the default one is what dropout draws from (torch's own and <see cref="Models.DropoutMask"/>). Its state
    /// when a fit began was whatever the process had drawn before, so without this a model with dropout
    /// (GRU4Rec, SASRec, GCE-GNN) gave other losses on two runs of the same seed.</summary>
    private static Fin<SessionModel> CreateModel(ModelSpec spec, TrainingData data, ModelOptions modelOptions,
        ImmutableSortedDictionary<string, int> viewDims, Graphs.ItemGraphs graphs, TrainerOptions options)
    {
        TorchDevices.SetThreads(options.Threads);
        torch.random.manual_seed(unchecked((long)options.Seed));
        return ModelRegistry.Create(spec, data.Vocabulary.Size, modelOptions, viewDims, options.Seed, data.ItemTexts, graphs);
    }

    /// <summary>Trains <paramref name="trained"/>'s module; a failed or cancelled run disposes it (nobody
    /// else owns the native weights).</summary>
    private static Fin<TrainingOutcome> Run(TrainedModel trained, TrainingData data, TrainerOptions options, ILogger logger,
        IProgress<TrainingProgress>? progress, CancellationToken cancellation, IEpochCheckpoints? checkpoints)
    {
        try
        {
            return new TrainingRun(trained, data, options, logger, progress, cancellation, checkpoints).Execute();
        }
        catch
        {
            trained.Module.Dispose();
            throw;
        }
    }

    /// <summary>The data with what the model's batch format needs: session graphs are built here (pure,
    /// about a second for Beauty) when the caller prepared the samples without them.</summary>
    private static TrainingData WithFormat(ModelSpec spec, TrainingData data) =>
        ModelRegistry.FormatOf(spec) == BatchFormat.SessionGraph ? data.WithSessionGraphs() : data;

    /// <summary>The training-wide graphs in dense indices, when the model's backbone needs them.</summary>
    private static Fin<Graphs.ItemGraphs> GraphsFor(ModelSpec spec, TrainingData data)
    {
        var needs = ModelRegistry.GraphsOf(spec);
        if (needs == Graphs.GraphNeeds.None) return Graphs.ItemGraphs.None;
        if (data.Graphs is null || (needs & ~data.Graphs.Has) != Graphs.GraphNeeds.None)
            return Error.New($"model '{spec.Name}' needs the training graphs ({needs}); the training data carries {(data.Graphs?.Has ?? Graphs.GraphNeeds.None)}");
        return data.Graphs.ForVocabulary(data.Vocabulary);
    }

    private static Fin<ImmutableSortedDictionary<string, int>> ViewDimensions(ModelSpec spec, TrainingData data) =>
        spec.ViewNames.Select(view => ViewDimension(spec, data, view)).AllOrFirstError()
            .Map(dims => dims.Aggregate(ImmutableSortedDictionary<string, int>.Empty, (all, d) => all.SetItem(d.View, d.Dim)));

    /// <summary>A view's dimension, from the fit samples; the validation and test samples (where there are
    /// any) must have the view too.</summary>
    private static Fin<(string View, int Dim)> ViewDimension(ModelSpec spec, TrainingData data, string view)
    {
        if (data.Fit.Views.Get(view).Case is Error missing) return Error.New($"model '{spec.Name}': {missing.Message}");
        foreach (var (part, split) in new[] { ("validation", data.Validation), ("test", data.Test) })
            if (split.Count > 0 && split.Views.IndexOf(view) < 0)
                return Error.New($"model '{spec.Name}': the {part} samples have no '{view}' view embeddings");
        return (view, data.Fit.Views.Get(view).Map(m => m.Dim).IfFail(0));
    }

    /// <summary>The imperative shell of one run: owns the optimiser, the learning-rate schedule and the
    /// snapshot of the best weights.</summary>
    private sealed class TrainingRun(
        TrainedModel trained, TrainingData data, TrainerOptions options, ILogger logger,
        IProgress<TrainingProgress>? progress, CancellationToken cancellation, IEpochCheckpoints? checkpoints)
    {
        private readonly SessionModel model = trained.Module;
        private readonly Device device = trained.Device;
        private readonly string name = trained.Spec.Name;

        public Fin<TrainingOutcome> Execute()
        {
            using var updater = ParameterUpdaters.Adam(model, new AdamSettings(options.LearningRate, options.WeightDecay), device,
                options.FusedCpuAdam, get_num_threads());
            var epochs = ImmutableArray.CreateBuilder<EpochRecord>();
            var timings = ImmutableArray.CreateBuilder<EpochTiming>();
            Dictionary<string, Tensor>? best = null;
            EvaluationResult? bestTest = null;
            RankingMetrics? bestValidation = null;
            var selection = EpochSelection.Start(options.Patience, options.MinGain);
            bool stoppedEarly = false;
            logger.LogInformation("training {Model} on {Fit} samples ({Validation} validation, {Test} test), {Items} items, device {Device}",
                name, data.Fit.Count, data.Validation.Count, data.Test.Count, data.Vocabulary.Count, device.type);
            foreach (var warning in model.InitialisationWarnings) logger.LogWarning("{Model}: {Warning}", name, warning);
            // Checkpoints need the updater's state (the fused CPU Adam's) and torch's CPU generator.
            var resumable = device.type == DeviceType.CPU ? updater as IResumableUpdater : null;
            int first = 1;
            try
            {
                if (resumable is not null && checkpoints?.Latest() is { } resume)
                {
                    using (resume)
                    {
                        if (Restore(resume, resumable) is { } reason)
                            logger.LogWarning("{Model}: the epoch checkpoint cannot be used ({Reason}); training from the start", name, reason);
                        else
                        {
                            selection = resume.Selection;
                            epochs.AddRange(resume.Epochs);
                            timings.AddRange(resume.Timings);
                            bestValidation = resume.BestValidation;
                            bestTest = resume.BestTest;
                            best = resume.Best is null ? Snapshot() : Copy(resume.Best);
                            first = resume.Epoch + 1;
                            logger.LogInformation("{Model}: resumed after epoch {Epoch} from its checkpoint", name, resume.Epoch);
                        }
                    }
                }
                for (int epoch = first; epoch <= options.Epochs; epoch++)
                {
                    double learningRate = options.LearningRateAt(epoch);
                    updater.LearningRate = learningRate;
                    var clock = Stopwatch.StartNew();
                    var (meanLoss, meanAux) = TrainEpoch(updater, epoch);
                    double trainSeconds = clock.Elapsed.TotalSeconds;
                    clock.Restart();
                    Report(TrainingPhase.Validating, epoch, 0, 0, meanLoss);
                    var validation = data.Validation.Count > 0 ? Evaluate(data.Validation) : null;
                    Report(TrainingPhase.Testing, epoch, 0, 0, meanLoss);
                    var test = options.EvaluateTestEachEpoch ? Evaluate(data.Test) : null;
                    double evaluationSeconds = clock.Elapsed.TotalSeconds;

                    // Without validation every epoch beats the last, so the last one is selected.
                    selection = selection.Observe(epoch, validation is null ? epoch : options.Selection.Of(validation.Metrics));
                    if (selection.BestEpoch == epoch)
                    {
                        bestValidation = validation?.Metrics;
                        bestTest = test;
                        DisposeAll(best);
                        best = Snapshot();
                    }
                    // Counted after the snapshot is replaced, so a run without leaks shows the same count every epoch.
                    var record = new EpochRecord(epoch, meanLoss, meanAux, learningRate, validation?.Metrics, test?.Metrics);
                    var timing = new EpochTiming(epoch, trainSeconds, evaluationSeconds, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
                    epochs.Add(record);
                    timings.Add(timing);
                    Log(record, timing);
                    Report(TrainingPhase.EpochDone, epoch, 0, 0, meanLoss);
                    if (selection.Stops)
                    {
                        stoppedEarly = epoch < options.Epochs;
                        logger.LogInformation("{Model}: no {Metric} gain on validation for {Patience} epochs, stopping after epoch {Epoch}",
                            name, options.Selection, options.Patience, epoch);
                        break;
                    }
                    // After the run's last epoch there is nothing to resume.
                    if (resumable is not null && checkpoints is not null && epoch < options.Epochs)
                    {
                        using var checkpoint = Capture(epoch, selection, epochs.ToImmutable(), timings.ToImmutable(), bestValidation, bestTest, best, resumable);
                        checkpoints.Save(checkpoint);
                    }
                }
                if (best is not null && selection.BestEpoch != epochs[^1].Epoch)
                {
                    using var noGrad = no_grad();
                    model.load_state_dict(best);
                }
            }
            finally
            {
                DisposeAll(best);
            }
            bestTest ??= Evaluate(data.Test);
            var result = new TrainingResult(name, options.Seed, selection.BestEpoch, options.Selection.ToString(), bestValidation,
                bestTest.Metrics, bestTest.Ranks, PaperPractice(epochs), epochs.ToImmutable(), stoppedEarly, timings.ToImmutable());
            logger.LogInformation("{Model}: selected epoch {Epoch} on validation {Metric}; test {Test}",
                name, selection.BestEpoch, options.Selection, Describe(bestTest.Metrics));
            return new TrainingOutcome(result, new TrainedModel(trained.Spec, trained.Options, trained.Vocabulary, trained.ViewDims,
                selection.BestEpoch, options, model, device));
        }

        private (double MeanLoss, double MeanAux) TrainEpoch(IParameterUpdater updater, int epoch)
        {
            model.train();
            return TrainingStep.Epoch(model, updater, data.Fit, options.Seed, epoch, options.BatchSize, device,
                (b, batches, meanLoss) =>
                {
                    if (b % options.ProgressEveryBatches == 0 || b == batches) Report(TrainingPhase.Training, epoch, b, batches, meanLoss);
                },
                cancellation);
        }

        private EvaluationResult Evaluate(TrainingSplit split) =>
            ModelEvaluation.Evaluate(model, split, device, options.EvaluationBatchSize, options.Cutoffs);

        /// <summary>The run's state after <paramref name="epoch"/>: copies of everything, so training goes on untouched.</summary>
        private EpochCheckpoint Capture(int epoch, EpochSelection selection, ImmutableArray<EpochRecord> epochs, ImmutableArray<EpochTiming> timings,
            RankingMetrics? bestValidation, EvaluationResult? bestTest, Dictionary<string, Tensor>? best, IResumableUpdater updater) => new()
        {
            Model = name, Seed = options.Seed, Epoch = epoch, Selection = selection, Epochs = epochs, Timings = timings,
            BestValidation = bestValidation, BestTest = bestTest,
            Weights = Snapshot(),
            Best = selection.BestEpoch == epoch || best is null ? null : Copy(best),
            Updater = updater.Capture(),
            RandomState = torch.random.get_rng_state(),
            GeneratorStates = [.. model.TrainingGenerators.Select(g => g.get_state())],
        };

        /// <summary>Puts <paramref name="c"/>'s weights, Adam state and generator states into the run; null
        /// when done, else why it does not fit this run (nothing is changed then).</summary>
        private string? Restore(EpochCheckpoint c, IResumableUpdater updater)
        {
            if (c.Model != name || c.Seed != options.Seed) return $"it is of {c.Model} seed {c.Seed}";
            if (c.Epoch < 1 || c.Epoch >= options.Epochs || c.Epochs.Length != c.Epoch) return $"it holds {c.Epochs.Length} epochs after epoch {c.Epoch} of {options.Epochs}";
            var generators = model.TrainingGenerators;
            if (c.GeneratorStates.Length != generators.Count) return $"it has {c.GeneratorStates.Length} generator states, the model {generators.Count}";
            var own = model.state_dict();
            if (own.Count != c.Weights.Count || own.Any(p => !c.Weights.TryGetValue(p.Key, out var w) || !w.shape.SequenceEqual(p.Value.shape) || w.dtype != p.Value.dtype))
                return "its weights are not this model's";
            try
            {
                updater.Restore(c.Updater);
            }
            catch (ArgumentException e)
            {
                return e.Message;
            }
            using (no_grad())
                foreach (var (key, value) in own) value.copy_(c.Weights[key]);
            torch.random.set_rng_state(c.RandomState);
            for (int i = 0; i < generators.Count; i++) generators[i].set_state(c.GeneratorStates[i]);
            return null;
        }

        private Dictionary<string, Tensor> Snapshot() => Copy(model.state_dict());

        /// <summary>Copies of <paramref name="tensors"/> that outlive any dispose scope (the caller disposes them).</summary>
        private static Dictionary<string, Tensor> Copy(IReadOnlyDictionary<string, Tensor> tensors)
        {
            using var noGrad = no_grad();
            return tensors.ToDictionary(p => p.Key, p => p.Value.clone().DetachFromDisposeScope());
        }

        private static void DisposeAll(Dictionary<string, Tensor>? tensors)
        {
            if (tensors is null) return;
            foreach (var t in tensors.Values) t.Dispose();
            tensors.Clear();
        }

        private void Report(TrainingPhase phase, int epoch, int batch, int batches, double loss) =>
            progress?.Report(new TrainingProgress(name, phase, epoch, options.Epochs, batch, batches, loss));

        private void Log(EpochRecord r, EpochTiming t) =>
            logger.LogInformation("{Model} epoch {Epoch}: loss {Loss:F4} (aux {Aux:F4}), lr {Lr:G3}, {TrainSeconds:F1} s train + {EvalSeconds:F1} s eval; validation {Validation}; test {Test}",
                name, r.Epoch, r.MeanLoss, r.MeanAuxiliaryLoss, r.LearningRate, t.TrainSeconds, t.EvaluationSeconds,
                r.Validation is null ? "-" : Describe(r.Validation), r.Test is null ? "-" : Describe(r.Test));
    }

    internal static string Describe(RankingMetrics m) =>
        string.Join(" ", m.AtK.Select(a => $"P@{a.K} {100 * a.Precision:F2} MRR@{a.K} {100 * a.Mrr:F2} NDCG@{a.K} {100 * a.Ndcg:F2}"));

    /// <summary>The reference code's "Best Result": each test metric's maximum over the epochs.</summary>
    public static RankingMetrics? PaperPractice(IReadOnlyList<EpochRecord> epochs)
    {
        var tests = epochs.Where(e => e.Test is not null).Select(e => e.Test!).ToArray();
        if (tests.Length == 0) return null;
        var atK = tests[0].AtK.Select(first => new MetricsAtK(first.K,
            tests.Max(t => t[first.K].Precision), tests.Max(t => t[first.K].Mrr), tests.Max(t => t[first.K].Ndcg)));
        return new RankingMetrics(tests[0].Count, [.. atK]);
    }
}

/// <summary>One optimisation step on one batch, inside its own dispose scope: assemble, forward,
/// cross-entropy + auxiliary loss, backward, Adam step. Returns the batch's loss and auxiliary loss.</summary>
public static class TrainingStep
{
    public static (double Loss, double Auxiliary) Run(SessionModel model, IParameterUpdater updater, TrainingSplit split, ReadOnlySpan<int> positions, Device device)
    {
        using var scope = NewDisposeScope();
        var batch = BatchTensors.Create(split, positions, model.Input, device);
        updater.ZeroGrad();
        var output = model.forward(batch);
        var loss = F.cross_entropy(output.Scores, batch.Targets).Plus(output.AuxiliaryLoss);
        loss.backward();
        updater.Step();
        return (loss.item<float>(), output.AuxiliaryLoss.item<float>());
    }

    /// <summary>One pass over <paramref name="split"/> in the order seeded by (<paramref name="seed"/>,
    /// <paramref name="epoch"/>), <paramref name="batchSize"/> samples a step; after each step
    /// <paramref name="afterBatch"/> gets (steps done, steps in the epoch, mean loss so far). Returns the
    /// epoch's mean loss and mean auxiliary loss.</summary>
    public static (double MeanLoss, double MeanAux) Epoch(
        SessionModel model, IParameterUpdater updater, TrainingSplit split, ulong seed, int epoch, int batchSize, Device device,
        Action<int, int, double>? afterBatch = null, CancellationToken cancellation = default)
    {
        var slices = Batches(split.Count, seed, epoch, batchSize);
        int batches = slices.Length;
        double lossSum = 0, auxSum = 0;
        int b = 0;
        foreach (var slice in slices)
        {
            cancellation.ThrowIfCancellationRequested();
            var (loss, aux) = Run(model, updater, split, slice, device);
            lossSum += loss; auxSum += aux; b++;
            afterBatch?.Invoke(b, batches, lossSum / b);
        }
        return (lossSum / b, auxSum / b);
    }

    /// <summary>The batches of epoch <paramref name="epoch"/> over <paramref name="count"/> samples: the
    /// order seeded by (<paramref name="seed"/>, <paramref name="epoch"/>), <paramref name="batchSize"/> a
    /// batch (the last one shorter). Pure.</summary>
    public static ArraySegment<int>[] Batches(int count, ulong seed, int epoch, int batchSize) =>
        [.. BatchSlices.Of(SeededShuffle.Permutation(count, seed, (ulong)epoch), batchSize)];
}
