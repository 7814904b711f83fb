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
    public static Fin<TrainedModels> Run(TrainConfig config, TrainInputs inputs, StageContext context)
    {
        var settings = config.Training;
        var consistent = CheckAligned(inputs.Batches.Train, inputs.Samples.Train, "train")
            .Bind(_ => CheckAligned(inputs.Batches.Test, inputs.Samples.Test, "test"));
        if (consistent.IsFail) return (Error)consistent;
        var withGraphs = WithGraphs(inputs.Batches, inputs.Graphs);
        if (withGraphs.IsFail) return (Error)withGraphs;
        var batches = (BatchSet)withGraphs;

        var device = TorchDevices.Resolve(settings.Device);
        if (device.IsFail) return (Error)device;

        // Validation: a seeded fraction of the training sessions (all their samples together).
        var (_, validationSamples) = ValidationSplit.Carve(inputs.Samples.Train, new ValidationOptions(settings.ValidationFraction, (ulong)settings.ValidationSeed));
        var validationIds = validationSamples.Select(s => s.Id).ToHashSet();
        var fit = new PreparedSampleSet([.. batches.Train.Samples.Where(s => !validationIds.Contains(s.Id))]);
        var validation = new PreparedSampleSet([.. batches.Train.Samples.Where(s => validationIds.Contains(s.Id))]);

        var neededViews = config.Models.SelectMany(m => (IEnumerable<string>)ModelCatalog.ViewsOf(m)).Distinct().ToImmutableArray();
        var views = ViewsFor(config, neededViews, inputs.Views);
        if (views.IsFail) return (Error)views;
        var viewList = (ImmutableArray<SampleViewEmbeddings>)views;

        var data =
            from f in ViewJoin.Join(fit, viewList)
            from v in ViewJoin.Join(validation, viewList)
            from t in ViewJoin.Join(batches.Test, viewList)
            select new TrainingData(batches.Vocabulary, new TrainingSplit(fit, f), new TrainingSplit(validation, v), new TrainingSplit(batches.Test, t))
            {
                Graphs = inputs.ItemGraphs,
            };
        if (data.IsFail) return ModelingErrors.Inconsistent($"joining the view embeddings to the samples: {((Error)data).Message}");

        var itemTexts = ItemTextsFor(config, inputs.ItemTexts, batches.Vocabulary);
        if (itemTexts.IsFail) return (Error)itemTexts;
        var texts = ((Option<Core.Embeddings.EmbeddingMatrix>)itemTexts).MatchUnsafe(t => t, () => null);
        var fitting = new Fitting(config, inputs, (TrainingData)data with { ItemTexts = texts }, (TorchSharp.torch.Device)device, context);
        return fitting.Execute().Map(runs => new TrainedModels(
            new TrainingFacts(fit.Count, validation.Count, batches.Test.Count, batches.Vocabulary.Count, settings.ValidationFraction,
                ((TorchSharp.torch.Device)device).type.ToString().ToLowerInvariant(), neededViews.IsEmpty ? "" : inputs.Views!.Engine, neededViews),
            runs.Runs, runs.History, runs.Ranks, Items(batches.Vocabulary, inputs.Load),
            config.Models.Any(m => m.Family == ModelFamily.Baseline) ? inputs.Split.Train : [],
            runs.Files));
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

        public Fin<Results> Execute()
        {
            var runs = ImmutableArray.CreateBuilder<ModelRun>();
            _unitsTotal = config.Models.Sum(m => m.Family == ModelFamily.Neural ? (long)_settings.Epochs * _settings.Seeds.Length : 1);
            foreach (var model in config.Models)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                var fitted = model.Family switch
                {
                    ModelFamily.Neural => TrainNeural(model),
                    ModelFamily.Baseline => FitBaseline(model).Map(r => ImmutableArray.Create(r)),
                    ModelFamily.TextSimilarity => ScoreLlmSeqSim(model).Map(r => ImmutableArray.Create(r)),
                    _ => ScoreLlmInfer(model).Map(r => ImmutableArray.Create(r)),
                };
                if (fitted.IsFail) return (Error)fitted;
                runs.AddRange((ImmutableArray<ModelRun>)fitted);
            }
            return new Results(runs.ToImmutable(), _history.ToImmutable(), _ranks.ToImmutable(), _files.ToImmutable());
        }

        Fin<ImmutableArray<ModelRun>> TrainNeural(ModelChoice model)
        {
            var runs = ImmutableArray.CreateBuilder<ModelRun>();
            var (modelOptions, architecture) = ModelOptionsOf(model);
            foreach (var seed in _settings.Seeds)
            {
                var options = TrainerOptions(seed);
                long before = _unitsDone;
                var progress = new SynchronousProgress<TrainingProgress>(p => Report(before + p.Epoch - 1, p));
                var outcome = Trainer.Train(model.Name, data, modelOptions, options, context.Logger, progress, context.CancellationToken);
                if (outcome.IsFail) return ModelingErrors.TrainingFailed(model.Name, seed, ((Error)outcome).Message);
                var (result, trained) = (TrainingOutcome)outcome;
                using (trained)
                {
                    var stem = CheckpointStem(model.Name, seed);
                    _files.AddRange(SaveCheckpoint(trained, stem));
                    for (var i = 0; i < result.TestRanks.Length; i++)
                        _ranks.Add(new RankRow(model.Name, seed, data.Test.Samples[i].Id, result.TestRanks[i]));
                    _history.AddRange(result.Epochs.Select(e => new EpochRow(model.Name, seed, e)));
                    var epochs = result.Epochs;
                    runs.Add(new ModelRun(model.Name, ModelFamily.Neural, seed, model.Parameters,
                        $"{model.Name};{architecture};trainer={Trainer.Version}", result.SelectedEpoch, epochs.Length, result.SelectionMetric,
                        result.StoppedEarly, result.Test, result.Validation, result.PaperPracticeBestTest, stem));
                    TrainMeasurements.Neural(context.Measurements, model.Name, seed, result.Timings);
                }
                _unitsDone = before + _settings.Epochs;
                context.Progress.Report(new StageProgress(_unitsDone, _unitsTotal, $"{model.Name} seed {seed}: done"));
            }
            return runs.ToImmutable();
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
            Selection = Selection(_settings.SelectOn),
            Seed = (ulong)seed,
            Device = _settings.Device,
            EvaluationBatchSize = _settings.EvaluationBatchSize,
            EvaluateTestEachEpoch = _settings.TestEachEpoch,
        };

        Fin<ModelRun> FitBaseline(ModelChoice model)
        {
            context.Progress.Report(new StageProgress(_unitsDone, _unitsTotal, $"{model.Name}: fitting"));
            var created = BaselineRegistry.Create(model.Name, model.Parameters);
            if (created.IsFail) return ModelingErrors.TrainingFailed(model.Name, null, ((Error)created).Message);
            var algorithm = created.Match(a => a, e => throw new InvalidOperationException(e.Message));
            var sessions = TrainingSessions.FromSessions(inputs.Split.Train, data.Vocabulary);
            if (sessions.IsFail) return ModelingErrors.TrainingFailed(model.Name, null, ((Error)sessions).Message);
            var clock = Stopwatch.StartNew();
            var scorer = algorithm.Fit((TrainingSessions)sessions, context.CancellationToken);
            var fitSeconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var test = inputs.Samples.Test;
            var progress = new SynchronousProgress<int>(done => context.Progress.Report(new StageProgress(_unitsDone, _unitsTotal,
                $"{model.Name}: evaluated {done:N0} of {test.Length:N0} test samples")));
            var result = Evaluator.Evaluate(scorer, test, data.Vocabulary, EvaluationOptions.Default, progress, context.CancellationToken);
            var evalSeconds = clock.Elapsed.TotalSeconds;
            if (result.UnknownTargets > 0)
                return ModelingErrors.TrainingFailed(model.Name, null, $"{result.UnknownTargets} test targets are not in the vocabulary");
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
            var result = LlmInfer.Evaluate(data.Test, data.Vocabulary, titles, new LlmInferOptions(ModelCatalog.LlmInferViews(model)), device);
            if (result.IsFail) return ModelingErrors.TrainingFailed(model.Name, null, ((Error)result).Message);
            var evaluation = (EvaluationResult)result;
            var seconds = clock.Elapsed.TotalSeconds;
            for (var i = 0; i < evaluation.Ranks.Length; i++)
                _ranks.Add(new RankRow(model.Name, ModelRun.Unseeded, data.Test.Samples[i].Id, evaluation.Ranks[i]));
            _unitsDone++;
            TrainMeasurements.Fitted(context.Measurements, model.Name, 0, seconds);
            return new ModelRun(model.Name, ModelFamily.LlmInfer, ModelRun.Unseeded, model.Parameters,
                $"{model.Name};views={string.Join(",", ModelCatalog.LlmInferViews(model))};engine={views.Engine};version={LlmInfer.Version}",
                0, 0, "", false, evaluation.Metrics, null, null, "");
        }

        Fin<ModelRun> ScoreLlmSeqSim(ModelChoice model)
        {
            var spec = ModelRegistry.Find(model.Name).Match(s => s, e => throw new InvalidOperationException(e.Message)); // checked when the pipeline was read
            var resolved = ModelRegistry.ParametersOf(spec).Resolve(model.Parameters);
            var options = LlmSeqSim.Options(resolved);
            if (options.IsFail) return ModelingErrors.TrainingFailed(model.Name, null, ((Error)options).Message);
            var items = data.ItemTexts!; // read for every model that reads item texts (ItemTextsFor)
            context.Progress.Report(new StageProgress(_unitsDone, _unitsTotal, $"{model.Name}: scoring"));
            var clock = Stopwatch.StartNew();
            var result = LlmSeqSim.Evaluate(data.Test, items, (LlmSeqSimOptions)options, device);
            if (result.IsFail) return ModelingErrors.TrainingFailed(model.Name, null, ((Error)result).Message);
            var evaluation = (EvaluationResult)result;
            var seconds = clock.Elapsed.TotalSeconds;
            for (var i = 0; i < evaluation.Ranks.Length; i++)
                _ranks.Add(new RankRow(model.Name, ModelRun.Unseeded, data.Test.Samples[i].Id, evaluation.Ranks[i]));
            context.Logger.LogInformation("{Model}: scored {Samples} test samples in {Eval:F2} s; P@20 {P20:F4} MRR@20 {Mrr20:F4}",
                model.Name, evaluation.Ranks.Length, seconds, evaluation.Metrics[20].Precision, evaluation.Metrics[20].Mrr);
            _unitsDone++;
            TrainMeasurements.Fitted(context.Measurements, model.Name, 0, seconds);
            return new ModelRun(model.Name, ModelFamily.TextSimilarity, ModelRun.Unseeded, model.Parameters,
                TextSimilarityFingerprint(model.Name, resolved, items), 0, 0, "", false, evaluation.Metrics, null, null, "");
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
