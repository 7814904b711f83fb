using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Baselines;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Evaluation;
using Llm4Sbr.Core.Loading;
using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Core.Reporting;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Stages.Modeling.Batches;
using Llm4Sbr.Stages.Modeling.Views;
using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Checkpoints;
using Llm4Sbr.Training.Evaluation;
using Llm4Sbr.Training.Models;
using Llm4Sbr.Training.Fitting;
using Microsoft.Extensions.Logging;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Modeling.Train;

/// <summary>The inputs of <c>train</c>: the encoded samples, their session graphs when a model reads
/// them, the samples (validation carve, baseline evaluation), the split (baseline training sessions),
/// the catalogue (titles), the training-wide graphs when a model's backbone needs them and, when a
/// model reads them, the view embeddings and the items' text embeddings (<c>llmseqsim</c>, <c>llm2X</c>).</summary>
public sealed record TrainInputs(BatchSet Batches, SessionGraphSet? Graphs, SampleSet Samples, SplitSet Split, LoadedData Load,
    Training.Graphs.TrainingGraphs? ItemGraphs, IViewEmbeddingSource? Views, ItemTextEmbeddings? ItemTexts = null);

/// <summary>The run function of <c>train</c>. Deterministic for a fixed configuration on the CPU
/// (seeded Torch, seeded shuffles, deterministic baselines); only the recorded times vary.</summary>
public static class TrainRunner
{
    public static async Task<Fin<TrainedModels>> RunAsync(TrainConfig config, TrainInputs inputs, StageContext context) =>
        await Prepare(config, inputs).Match(
            Succ: ready => FitAllAsync(config, inputs, ready, context),
            Fail: error => Task.FromResult(FinFail<TrainedModels>(error))).ConfigureAwait(false);

    static async Task<Fin<TrainedModels>> FitAllAsync(TrainConfig config, TrainInputs inputs, Prepared ready, StageContext context)
    {
        var (data, device) = (ready.Data, ready.Device);
        var neededViews = NeededViews(config);
        var runs = await new Fitting(config, inputs, data, device, context).ExecuteAsync().ConfigureAwait(false);
        return runs.Map(r => new TrainedModels(
            new TrainingFacts(data.Fit.Count, data.Validation.Count, data.Test.Count, data.Vocabulary.Count, config.Training.ValidationFraction,
                device.type.ToString().ToLowerInvariant(), neededViews.IsEmpty ? "" : inputs.Views!.Engine, neededViews),
            r.Runs, r.History, r.Ranks, Items(data.Vocabulary, inputs.Load),
            config.Models.Any(m => m.Family == ModelFamily.Baseline) ? inputs.Split.Train : [],
            r.Files));
    }

    /// <summary>What every model trains on: the batches checked against the samples, their session graphs
    /// attached, the validation sessions carved out, the views and item texts the models read joined.</summary>
    sealed record Prepared(TrainingData Data, TorchSharp.torch.Device Device);

    static ImmutableArray<string> NeededViews(TrainConfig config) =>
        config.Models.SelectMany(m => (IEnumerable<string>)ModelCatalog.ViewsOf(m)).Distinct().ToImmutableArray();

    static Fin<Prepared> Prepare(TrainConfig config, TrainInputs inputs)
    {
        var settings = config.Training;
        return
            from aligned in CheckAligned(inputs.Batches.Train, inputs.Samples.Train, "train")
            from alignedTest in CheckAligned(inputs.Batches.Test, inputs.Samples.Test, "test")
            from batches in WithGraphs(inputs.Batches, inputs.Graphs)
            from device in TorchDevices.Resolve(settings.Device)
            from views in ViewsFor(config, NeededViews(config), inputs.Views)
            from data in Join(batches, Carve(batches, inputs.Samples, settings), views)
            from texts in ItemTextsFor(config, inputs.ItemTexts, batches.Vocabulary)
            select new Prepared(data with { Graphs = inputs.ItemGraphs, ItemTexts = texts.MatchUnsafe(t => t, () => null) }, device);
    }

    /// <summary>Validation: a seeded fraction of the training sessions (all their samples together).</summary>
    static (PreparedSampleSet Fit, PreparedSampleSet Validation) Carve(BatchSet batches, SampleSet samples, TrainingSettings settings)
    {
        var (_, validationSamples) = ValidationSplit.Carve(samples.Train, new ValidationOptions(settings.ValidationFraction, (ulong)settings.ValidationSeed));
        var validationIds = validationSamples.Select(s => s.Id).ToHashSet();
        return (new PreparedSampleSet([.. batches.Train.Samples.Where(s => !validationIds.Contains(s.Id))]),
            new PreparedSampleSet([.. batches.Train.Samples.Where(s => validationIds.Contains(s.Id))]));
    }

    static Fin<TrainingData> Join(BatchSet batches, (PreparedSampleSet Fit, PreparedSampleSet Validation) carved, ImmutableArray<SampleViewEmbeddings> views)
    {
        var joined =
            from f in ViewJoin.Join(carved.Fit, views)
            from v in ViewJoin.Join(carved.Validation, views)
            from t in ViewJoin.Join(batches.Test, views)
            select new TrainingData(batches.Vocabulary, new TrainingSplit(carved.Fit, f), new TrainingSplit(carved.Validation, v), new TrainingSplit(batches.Test, t));
        return joined.BiMap(Succ: d => d, Fail: e => ModelingErrors.Inconsistent($"joining the view embeddings to the samples: {e.Message}"));
    }

    /// <summary>The batches with their session graphs attached, when the stage read them.</summary>
    static Fin<BatchSet> WithGraphs(BatchSet batches, SessionGraphSet? graphs) =>
        graphs is null
            ? batches
            : from train in SessionGraphSet.Attach(batches.Train, graphs.Train, "train")
              from test in SessionGraphSet.Attach(batches.Test, graphs.Test, "test")
              select batches with { Train = train, Test = test };

    static Fin<Unit> CheckAligned(PreparedSampleSet prepared, ImmutableArray<Sample> samples, string part)
    {
        if (prepared.Count != samples.Length)
            return ModelingErrors.Inconsistent($"batches holds {prepared.Count} {part} samples, samples {samples.Length}: the two come from different runs");
        for (var i = 0; i < samples.Length; i++)
            if (prepared[i].Id != samples[i].Id)
                return ModelingErrors.Inconsistent($"batches row {i} of {part} is sample {prepared[i].Id}, samples has {samples[i].Id}: the two come from different runs");
        return unit;
    }

    static Fin<ImmutableArray<SampleViewEmbeddings>> ViewsFor(TrainConfig config, ImmutableArray<string> needed, IViewEmbeddingSource? source)
    {
        if (needed.IsEmpty) return ImmutableArray<SampleViewEmbeddings>.Empty;
        var reader = config.Models.First(m => !ModelCatalog.ViewsOf(m).IsEmpty);
        if (source is null)
            return ModelingErrors.MissingViews(reader.Name, needed, "the pipeline has no stage that produces them");
        var missing = needed.Where(v => !source.Views.Contains(v)).ToList();
        if (missing.Count > 0)
        {
            var model = config.Models.First(m => ModelCatalog.ViewsOf(m).Any(missing.Contains));
            return ModelingErrors.MissingViews(model.Name, ModelCatalog.ViewsOf(model),
                $"stage '{config.ViewsStage}' has the views {(source.Views.IsEmpty ? "(none)" : string.Join(", ", source.Views))}; add {string.Join(", ", missing)} to the pipeline's views");
        }
        return ViewEmbeddingSources.Select(source, needed);
    }

    /// <summary>The items' text embeddings in vocabulary order (row j: dense index j + 1) when a listed
    /// model reads them, else none.</summary>
    static Fin<Option<Core.Embeddings.EmbeddingMatrix>> ItemTextsFor(TrainConfig config, ItemTextEmbeddings? texts, ItemVocabulary vocabulary)
    {
        if (config.Models.FirstOrDefault(ModelCatalog.ReadsItemTexts) is not { } reader) return FinSucc(Option<Core.Embeddings.EmbeddingMatrix>.None);
        if (texts is null)
            return ModelingErrors.TrainingFailed(reader.Name, null, $"it reads the item-title embeddings, and stage '{TrainStage.Name}' was given none");
        return LlmInfer.AlignToVocabulary(texts, vocabulary).Match(
            m => FinSucc(Some(m)),
            e => FinFail<Option<Core.Embeddings.EmbeddingMatrix>>(ModelingErrors.TrainingFailed(reader.Name, null, e.Message)));
    }

    /// <summary>What an <c>llmseqsim</c> run scored with: its resolved options and the SHA-256 of the item
    /// table (vocabulary order), so <c>recommend</c> can check it rebuilds the same model.</summary>
    public static string TextSimilarityFingerprint(string model, ModelParameters resolved, Core.Embeddings.EmbeddingMatrix items) =>
        $"{model};{resolved};titles-sha256={Convert.ToHexStringLower(SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(items.Data.AsSpan())))};version={LlmSeqSim.Version}";

    static ImmutableArray<CatalogueItem> Items(ItemVocabulary vocabulary, LoadedData load)
    {
        var titles = load.Items.GroupBy(i => i.Id).ToDictionary(g => g.Key, g => g.First().Title);
        return [.. Enumerable.Range(1, vocabulary.Count).Select(i =>
        {
            var id = vocabulary.IdAt(i);
            return new CatalogueItem(i, id, titles.TryGetValue(id, out var title) ? title : Item.PlaceholderTitle(id));
        })];
    }

    /// <summary>SHA-256 of the sessions a baseline is fitted on (ids and clicks), part of its fingerprint.</summary>
    public static string SessionsHash(IReadOnlyList<Session> sessions)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> buffer = stackalloc byte[8];
        foreach (var session in sessions)
        {
            BitConverter.TryWriteBytes(buffer, session.Id);
            hash.AppendData(buffer);
            BitConverter.TryWriteBytes(buffer, (long)session.Items.Length);
            hash.AppendData(buffer);
            foreach (var item in session.Items)
            {
                BitConverter.TryWriteBytes(buffer[..4], item);
                hash.AppendData(buffer[..4]);
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public static string BaselineFingerprint(IBaselineAlgorithm algorithm, IReadOnlyList<Session> sessions) =>
        $"{algorithm.Fingerprint};sessions-sha256={SessionsHash(sessions)}";

    public static string CheckpointStem(string model, long seed) => $"checkpoint-{model}-seed{seed.ToString(CultureInfo.InvariantCulture)}";

    sealed record Results(ImmutableArray<ModelRun> Runs, ImmutableArray<EpochRow> History, ImmutableArray<RankRow> Ranks, ImmutableArray<StoredFile> Files);

    /// <summary>The imperative shell of one stage run: fits the models one after another.</summary>
    sealed class Fitting(TrainConfig config, TrainInputs inputs, TrainingData data, TorchSharp.torch.Device device, StageContext context)
    {
        readonly TrainingSettings _settings = config.Training;
        readonly ImmutableArray<RankRow>.Builder _ranks = ImmutableArray.CreateBuilder<RankRow>();
        readonly ImmutableArray<EpochRow>.Builder _history = ImmutableArray.CreateBuilder<EpochRow>();
        readonly ImmutableArray<StoredFile>.Builder _files = ImmutableArray.CreateBuilder<StoredFile>();
        long _unitsDone;
        long _unitsTotal;

        readonly FitFingerprints _fingerprints = new(data);

        public async Task<Fin<Results>> ExecuteAsync()
        {
            var runs = ImmutableArray.CreateBuilder<ModelRun>();
            _unitsTotal = config.Models.Sum(m => m.Family == ModelFamily.Neural ? (long)_settings.Epochs * _settings.Seeds.Length : 1);
            foreach (var model in config.Models)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                var fitted = model.Family switch
                {
                    ModelFamily.Neural => await TrainNeuralAsync(model).ConfigureAwait(false),
                    ModelFamily.Baseline => FitBaseline(model).Map(r => ImmutableArray.Create(r)),
                    ModelFamily.TextSimilarity => ScoreLlmSeqSim(model).Map(r => ImmutableArray.Create(r)),
                    _ => ScoreLlmInfer(model).Map(r => ImmutableArray.Create(r)),
                };
                // The models run one after another and the first failure ends the stage.
                if (fitted.Case is Error failed) return failed;
                runs.AddRange((ImmutableArray<ModelRun>)fitted);
            }
            return new Results(runs.ToImmutable(), _history.ToImmutable(), _ranks.ToImmutable(), _files.ToImmutable());
        }

        /// <summary>Each seed's fit is a part of the stage (<see cref="IStageParts"/>): a fit stored by an
        /// earlier run with the same key (<see cref="FitPart"/>) is reused instead of retrained.</summary>
        async Task<Fin<ImmutableArray<ModelRun>>> TrainNeuralAsync(ModelChoice model)
        {
            var runs = ImmutableArray.CreateBuilder<ModelRun>();
            var (modelOptions, architecture) = ModelOptionsOf(model);
            foreach (var seed in _settings.Seeds)
            {
                var options = TrainerOptions(seed);
                long before = _unitsDone;
                var outcome = await context.Parts.GetOrComputeAsync(FitPart(model, architecture, options), FittedRunCodec.Instance,
                    scratch => Fit(model, modelOptions, architecture, options, before, scratch), context.CancellationToken).ConfigureAwait(false);
                if (outcome.Case is Error failed) return failed;
                var (fit, reused, measurements) = (PartOutcome<FittedRun>)outcome;
                _files.AddRange(fit.Files);
                _ranks.AddRange(fit.Ranks);
                _history.AddRange(fit.History);
                runs.Add(fit.Run);
                foreach (var (name, value) in measurements) context.Measurements.Record(name, value);
                if (reused) TrainMeasurements.Reused(context.Measurements, model.Name, seed);
                _unitsDone = before + _settings.Epochs;
                context.Progress.Report(new StageProgress(_unitsDone, _unitsTotal, $"{model.Name} seed {seed}: {(reused ? "reused an earlier fit" : "done")}"));
            }
            return runs.ToImmutable();
        }

        /// <summary>The memo key of one fit: the model, its parameters and architecture, the trainer's
        /// settings and seed, the device, and the fingerprints of exactly the data it reads.</summary>
        StagePart FitPart(ModelChoice model, ModelParameters architecture, TrainerOptions options)
        {
            var graphs = Enum.GetValues<Training.Graphs.GraphNeeds>()
                .Where(n => n != Training.Graphs.GraphNeeds.None && ModelCatalog.GraphsOf(model).HasFlag(n))
                .ToImmutableSortedDictionary(n => n.ToString(), _fingerprints.Graph, StringComparer.Ordinal);
            var key = FitKey.Of(model, architecture, options, device.type.ToString().ToLowerInvariant(), _fingerprints.Samples,
                ModelCatalog.ViewsOf(model).ToImmutableSortedDictionary(v => v, _fingerprints.View, StringComparer.Ordinal),
                graphs, ModelCatalog.ReadsItemTexts(model) ? _fingerprints.ItemTexts : null);
            return new StagePart($"{model.Name} seed {options.Seed}", FitKey.VersionOf(model), Engine.Keys.CanonicalJson.Serialize(key));
        }

        /// <summary>One fit. With a <paramref name="scratch"/> folder (the part's, in the cache) the trainer keeps
        /// a checkpoint there after every epoch, and a fit killed before it finished resumes from the last one.</summary>
        Fin<PartResult<FittedRun>> Fit(ModelChoice model, ModelOptions modelOptions, ModelParameters architecture, TrainerOptions options, long before, string? scratch)
        {
            var seed = (long)options.Seed;
            var progress = new SynchronousProgress<TrainingProgress>(p => Report(before + p.Epoch - 1, p));
            var checkpoints = scratch is null ? null : new EpochCheckpointFolder(scratch, context.Logger);
            return Trainer.Train(model.Name, data, modelOptions, options, context.Logger, progress, context.CancellationToken, checkpoints).BiMap(
                Fail: error => ModelingErrors.TrainingFailed(model.Name, seed, error.Message),
                Succ: outcome =>
                {
                    var (result, trained) = outcome;
                    using (trained)
                    {
                        var stem = CheckpointStem(model.Name, seed);
                        var run = new ModelRun(model.Name, ModelFamily.Neural, seed, model.Parameters,
                            $"{model.Name};{architecture};trainer={Trainer.Version}", result.SelectedEpoch, result.Epochs.Length, result.SelectionMetric,
                            result.StoppedEarly, result.Test, result.Validation, result.PaperPracticeBestTest, stem);
                        var measurements = new StageMeasurements();
                        TrainMeasurements.Neural(measurements, model.Name, seed, result.Timings);
                        return new PartResult<FittedRun>(new FittedRun(run,
                            [.. result.Epochs.Select(e => new EpochRow(model.Name, seed, e))],
                            [.. result.TestRanks.Select((rank, i) => new RankRow(model.Name, seed, data.Test.Samples[i].Id, rank))],
                            SaveCheckpoint(trained, stem)), measurements.Snapshot());
                    }
                });
        }

        /// <summary>The model's architecture: <c>model_params</c> over the training section's shared
        /// settings (hidden, lambda, gnn_steps) over the registry's defaults; and every key the model
        /// takes with its value, for the run's fingerprint and the report.</summary>
        (ModelOptions Options, ModelParameters Architecture) ModelOptionsOf(ModelChoice model)
        {
            var spec = ModelRegistry.Find(model.Name).Match(s => s, e => throw new InvalidOperationException(e.Message)); // checked when the pipeline was read
            var shared = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [
                KeyValuePair.Create("hidden", _settings.Hidden.ToString(CultureInfo.InvariantCulture)),
                KeyValuePair.Create("lambda", _settings.Lambda.ToString("R", CultureInfo.InvariantCulture)),
                KeyValuePair.Create("gnn_steps", _settings.GnnSteps.ToString(CultureInfo.InvariantCulture)),
            ]);
            var resolved = ModelRegistry.ParametersOf(spec).Resolve(model.Parameters, shared);
            var own = resolved.Values.RemoveRange(["hidden", "lambda"]);
            var options = new ModelOptions(resolved.Integer("hidden"), resolved.Values.ContainsKey("lambda") ? resolved.Real("lambda") : _settings.Lambda)
            {
                Parameters = new ModelParameters(own),
            };
            return (options, resolved);
        }

        TrainerOptions TrainerOptions(long seed) => new()
        {
            Epochs = _settings.Epochs,
            BatchSize = _settings.BatchSize,
            LearningRate = _settings.LearningRate,
            WeightDecay = _settings.L2,
            LearningRateStepEpochs = _settings.LearningRateStep,
            LearningRateGamma = _settings.LearningRateGamma,
            Patience = _settings.Patience,
            MinGain = _settings.MinGain,
            Selection = Selection(_settings.SelectOn),
            Seed = (ulong)seed,
            Device = _settings.Device,
            EvaluationBatchSize = _settings.EvaluationBatchSize,
            EvaluateTestEachEpoch = _settings.TestEachEpoch,
        };

        Fin<ModelRun> FitBaseline(ModelChoice model)
        {
            context.Progress.Report(new StageProgress(_unitsDone, _unitsTotal, $"{model.Name}: fitting"));
            return (from algorithm in BaselineRegistry.Create(model.Name, model.Parameters)
                    from sessions in TrainingSessions.FromSessions(inputs.Split.Train, data.Vocabulary)
                    from run in FitAndEvaluate(model, algorithm, sessions)
                    select run)
                .BiMap(Succ: run => run, Fail: error => ModelingErrors.TrainingFailed(model.Name, null, error.Message));
        }

        Fin<ModelRun> FitAndEvaluate(ModelChoice model, IBaselineAlgorithm algorithm, TrainingSessions sessions)
        {
            var clock = Stopwatch.StartNew();
            var scorer = algorithm.Fit(sessions, context.CancellationToken);
            var fitSeconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var test = inputs.Samples.Test;
            var progress = new SynchronousProgress<int>(done => context.Progress.Report(new StageProgress(_unitsDone, _unitsTotal,
                $"{model.Name}: evaluated {done:N0} of {test.Length:N0} test samples")));
            var result = Evaluator.Evaluate(scorer, test, data.Vocabulary, EvaluationOptions.Default, progress, context.CancellationToken);
            var evalSeconds = clock.Elapsed.TotalSeconds;
            if (result.UnknownTargets > 0)
                return Error.New($"{result.UnknownTargets} test targets are not in the vocabulary");
            for (var i = 0; i < test.Length; i++) _ranks.Add(new RankRow(model.Name, ModelRun.Unseeded, test[i].Id, result.Ranks[i]));
            context.Logger.LogInformation("{Model}: fitted in {Fit:F2} s, evaluated {Samples} test samples in {Eval:F2} s; P@20 {P20:F4} MRR@20 {Mrr20:F4}",
                model.Name, fitSeconds, test.Length, evalSeconds, result.Metrics[20].Precision, result.Metrics[20].Mrr);
            _unitsDone++;
            TrainMeasurements.Fitted(context.Measurements, model.Name, fitSeconds, evalSeconds);
            return new ModelRun(model.Name, ModelFamily.Baseline, ModelRun.Unseeded, model.Parameters,
                BaselineFingerprint(algorithm, inputs.Split.Train), 0, 0, "", false,
                result.Metrics, null, null, "");
        }

        Fin<ModelRun> ScoreLlmInfer(ModelChoice model)
        {
            var views = inputs.Views;
            if (views?.ItemTitles is not { } titles)
                return ModelingErrors.TrainingFailed(model.Name, null,
                    $"it scores views against item-title embeddings, and stage '{config.ViewsStage}' provides none");
            context.Progress.Report(new StageProgress(_unitsDone, _unitsTotal, $"{model.Name}: scoring"));
            var clock = Stopwatch.StartNew();
            return LlmInfer.Evaluate(data.Test, data.Vocabulary, titles, new LlmInferOptions(ModelCatalog.LlmInferViews(model)), device).BiMap(
                Fail: error => ModelingErrors.TrainingFailed(model.Name, null, error.Message),
                Succ: evaluation =>
                {
                    Scored(model, evaluation, clock.Elapsed.TotalSeconds);
                    return new ModelRun(model.Name, ModelFamily.LlmInfer, ModelRun.Unseeded, model.Parameters,
                        $"{model.Name};views={string.Join(",", ModelCatalog.LlmInferViews(model))};engine={views.Engine};version={LlmInfer.Version}",
                        0, 0, "", false, evaluation.Metrics, null, null, "");
                });
        }

        Fin<ModelRun> ScoreLlmSeqSim(ModelChoice model)
        {
            var spec = ModelRegistry.Find(model.Name).Match(s => s, e => throw new InvalidOperationException(e.Message)); // checked when the pipeline was read
            var resolved = ModelRegistry.ParametersOf(spec).Resolve(model.Parameters);
            var items = data.ItemTexts!; // read for every model that reads item texts (ItemTextsFor)
            var clock = Stopwatch.StartNew();
            return (from options in LlmSeqSim.Options(resolved)
                    from evaluation in ScoringLlmSeqSim(model, items, options)
                    select evaluation).BiMap(
                Fail: error => ModelingErrors.TrainingFailed(model.Name, null, error.Message),
                Succ: evaluation =>
                {
                    Scored(model, evaluation, clock.Elapsed.TotalSeconds);
                    context.Logger.LogInformation("{Model}: scored {Samples} test samples in {Eval:F2} s; P@20 {P20:F4} MRR@20 {Mrr20:F4}",
                        model.Name, evaluation.Ranks.Length, clock.Elapsed.TotalSeconds, evaluation.Metrics[20].Precision, evaluation.Metrics[20].Mrr);
                    return new ModelRun(model.Name, ModelFamily.TextSimilarity, ModelRun.Unseeded, model.Parameters,
                        TextSimilarityFingerprint(model.Name, resolved, items), 0, 0, "", false, evaluation.Metrics, null, null, "");
                });
        }

        Fin<EvaluationResult> ScoringLlmSeqSim(ModelChoice model, Core.Embeddings.EmbeddingMatrix items, LlmSeqSimOptions options)
        {
            context.Progress.Report(new StageProgress(_unitsDone, _unitsTotal, $"{model.Name}: scoring"));
            return LlmSeqSim.Evaluate(data.Test, items, options, device);
        }

        /// <summary>Records a model without training (a text scorer): its test ranks, its time, one unit done.</summary>
        void Scored(ModelChoice model, EvaluationResult evaluation, double seconds)
        {
            for (var i = 0; i < evaluation.Ranks.Length; i++)
                _ranks.Add(new RankRow(model.Name, ModelRun.Unseeded, data.Test.Samples[i].Id, evaluation.Ranks[i]));
            _unitsDone++;
            TrainMeasurements.Fitted(context.Measurements, model.Name, 0, seconds);
        }

        void Report(long done, TrainingProgress p) =>
            context.Progress.Report(new StageProgress(done, _unitsTotal, p.Phase switch
            {
                TrainingPhase.Training => $"{p.Model} epoch {p.Epoch}/{p.Epochs}: batch {p.Batch}/{p.Batches}, loss {p.Loss:F4}",
                TrainingPhase.Validating => $"{p.Model} epoch {p.Epoch}/{p.Epochs}: validating",
                TrainingPhase.Testing => $"{p.Model} epoch {p.Epoch}/{p.Epochs}: testing",
                _ => $"{p.Model} epoch {p.Epoch}/{p.Epochs}: done, loss {p.Loss:F4}",
            }));

        /// <summary>The training library writes a checkpoint as a folder (<c>model.bin</c>,
        /// <c>checkpoint.json</c>); the memo store keeps flat files, so the two are carried as
        /// <c>STEM.bin</c> and <c>STEM.json</c>.</summary>
        static ImmutableArray<StoredFile> SaveCheckpoint(TrainedModel trained, string stem)
        {
            var scratch = Path.Combine(Path.GetTempPath(), $"llm4sbr-checkpoint-{Guid.NewGuid():N}");
            try
            {
                trained.Save(scratch);
                return
                [
                    StoredFile.InMemory(TrainedModelsCodec.WeightsFile(stem), File.ReadAllBytes(Path.Combine(scratch, TrainedModel.WeightsFile))),
                    StoredFile.InMemory(TrainedModelsCodec.ManifestFile(stem), File.ReadAllBytes(Path.Combine(scratch, TrainedModel.ManifestFile))),
                ];
            }
            finally
            {
                if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
            }
        }

    }

    /// <summary><c>mrr@20</c> -> MRR@20 (validated when the pipeline was read).</summary>
    public static SelectionMetric Selection(string selectOn)
    {
        var parts = selectOn.Split('@');
        var measure = parts[0] switch
        {
            "p" => SelectionMeasure.Precision,
            "ndcg" => SelectionMeasure.Ndcg,
            _ => SelectionMeasure.Mrr,
        };
        return new SelectionMetric(measure, int.Parse(parts[1], CultureInfo.InvariantCulture));
    }
}
