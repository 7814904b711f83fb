using System.Collections.Immutable;
using System.Text.Json;
using LanguageExt;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Errors;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Parquet;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Training.Fitting;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Modeling.Train;

/// <summary>Files of the <c>train</c> stage: six Parquet tables and, per neural run, its checkpoint
/// (<c>checkpoint-MODEL-seedN.bin</c>, TorchSharp weights; <c>checkpoint-MODEL-seedN.json</c>, the
/// training library's checkpoint manifest). The memo store keeps them with the tables.</summary>
public sealed class TrainedModelsCodec : StageCodec<TrainedModels>
{
    public static TrainedModelsCodec Instance { get; } = new();

    public const string WeightsExtension = ".bin";
    public const string ManifestExtension = ".json";

    static readonly ParquetTable<ModelRun> RunsTable = new("runs.parquet",
        "One row per fitted model and seed, in the order of `models`.",
        [
            Col.String<ModelRun>("model", "Model name as in `models`.", r => r.Model),
            Col.String<ModelRun>("family", "'neural', 'baseline', 'llm-infer' or 'text-similarity'.", r => FamilyName(r.Family)),
            Col.Int64<ModelRun>("seed", "Training seed; -1 for deterministic models fitted once.", r => r.Seed),
            Col.String<ModelRun>("parameters", "model_params given for the model, as a JSON object of strings.", r => JsonSerializer.Serialize(r.Parameters)),
            Col.String<ModelRun>("fingerprint", "What was fitted: a baseline's options and a hash of its training sessions; a neural model's name and options.", r => r.Fingerprint),
            Col.Int32<ModelRun>("selected_epoch", "Epoch chosen on validation (0 for models without epochs).", r => r.SelectedEpoch),
            Col.Int32<ModelRun>("epochs_run", "Epochs trained (fewer than `epochs` after early stopping).", r => r.EpochsRun),
            Col.String<ModelRun>("selection_metric", "Validation metric that chose the epoch, e.g. MRR@20; empty without epochs.", r => r.SelectionMetric),
            Col.Bool<ModelRun>("stopped_early", "Training stopped before `epochs` for lack of validation gain.", r => r.StoppedEarly),
            Col.Int64<ModelRun>("test_samples", "Test samples ranked.", r => r.Test.Count),
            Col.Int64<ModelRun>("validation_samples", "Validation samples ranked (0 without validation).", r => r.Validation?.Count ?? 0),
            Col.String<ModelRun>("checkpoint", "File stem of the checkpoint in this folder (STEM.bin, STEM.json), or empty.", r => r.Checkpoint),
            .. MetricColumns.For<ModelRun>("test_", "on the test set at the selected epoch (the result)", r => r.Test),
            .. MetricColumns.For<ModelRun>("valid_", "on the validation set at the selected epoch", r => r.Validation),
            .. MetricColumns.For<ModelRun>("paper_best_test_", "maximum over epochs on the test set (the reference code's practice; peeks at the test set)", r => r.PaperBestTest),
        ]);

    static readonly ParquetTable<EpochRow> HistoryTable = new("history.parquet",
        "One row per epoch of every neural run.",
        [
            Col.String<EpochRow>("model", "Model name.", r => r.Model),
            Col.Int64<EpochRow>("seed", "Training seed.", r => r.Seed),
            Col.Int32<EpochRow>("epoch", "1-based epoch.", r => r.Epoch.Epoch),
            Col.Double<EpochRow>("loss", "Mean training loss over the epoch's batches (cross-entropy + weighted auxiliary loss).", r => r.Epoch.MeanLoss),
            Col.Double<EpochRow>("aux_loss", "Mean weighted alignment + uniformity loss (0 without views).", r => r.Epoch.MeanAuxiliaryLoss),
            Col.Double<EpochRow>("lr", "Learning rate of the epoch.", r => r.Epoch.LearningRate),
            Col.Int64<EpochRow>("validation_samples", "Validation samples (0 without validation).", r => r.Epoch.Validation?.Count ?? 0),
            Col.Int64<EpochRow>("test_samples", "Test samples (0 when the test set was not evaluated every epoch).", r => r.Epoch.Test?.Count ?? 0),
            .. MetricColumns.For<EpochRow>("valid_", "on the validation set after the epoch", r => r.Epoch.Validation),
            .. MetricColumns.For<EpochRow>("test_", "on the test set after the epoch", r => r.Epoch.Test),
        ]);

    static readonly ParquetTable<RankRow> RanksTable = new("ranks.parquet",
        "Rank of every test sample's target under every run (the selected epoch's), for other cut-offs and paired tests.",
        Col.String<RankRow>("model", "Model name.", r => r.Model),
        Col.Int64<RankRow>("seed", "Training seed; -1 for deterministic models.", r => r.Seed),
        Col.Int64<RankRow>("sample_id", "Test sample.", r => r.SampleId),
        Col.Int32<RankRow>("rank", "1-based rank of the target among all items; ties rank the target last.", r => r.Rank));

    static readonly ParquetTable<CatalogueItem> ItemsTable = new("items.parquet",
        "The items the models score, in dense index order, with titles (for recommend).",
        Col.Int32<CatalogueItem>("index", "Dense index, 1..n.", i => i.Index),
        Col.Int32<CatalogueItem>("item_id", "Item id as in the source.", i => i.ItemId),
        Col.String<CatalogueItem>("title", "Title; 'item <id>' when the source had none.", i => i.Title));

    static readonly ParquetTable<Session> SessionsTable = new("baseline_sessions.parquet",
        "The training sessions the baselines were fitted on (the split's train part), in order; empty without baselines.",
        Col.Int64<Session>("session_id", "Session ordinal.", s => s.Id),
        Col.Int64<Session>("session_key", "The source's session or user id.", s => s.Key),
        Col.Int32List<Session>("items", "Item ids in click order.", s => s.Items));

    static readonly ParquetTable<TrainingFacts> FactsTable = new("training_facts.parquet",
        "One row: what the stage trained on.",
        Col.Int32<TrainingFacts>("fit_samples", "Training samples after carving validation.", f => f.FitSamples),
        Col.Int32<TrainingFacts>("validation_samples", "Validation samples carved from training sessions.", f => f.ValidationSamples),
        Col.Int32<TrainingFacts>("test_samples", "Test samples.", f => f.TestSamples),
        Col.Int32<TrainingFacts>("items", "Items scored.", f => f.Items),
        Col.Double<TrainingFacts>("validation_fraction", "Fraction of training sessions carved for validation.", f => f.ValidationFraction),
        Col.String<TrainingFacts>("device", "Torch device that trained (cpu, cuda).", f => f.Device),
        Col.String<TrainingFacts>("views_engine", "What produced the view embeddings (offline, or engine and model); empty when no model read views.", f => f.ViewsEngine),
        Col.String<TrainingFacts>("views", "Views read, comma-separated; empty when none.", f => string.Join(",", f.Views)));

    public override string Id => "trained-models/2";

    public override ImmutableArray<TableDoc> Tables =>
        [RunsTable.Doc, HistoryTable.Doc, RanksTable.Doc, ItemsTable.Doc, SessionsTable.Doc, FactsTable.Doc];

    public static string FamilyName(ModelFamily family) => family switch
    {
        ModelFamily.Neural => "neural",
        ModelFamily.Baseline => "baseline",
        ModelFamily.TextSimilarity => "text-similarity",
        _ => "llm-infer",
    };

    /// <summary>The family <see cref="FamilyName"/> wrote as <paramref name="name"/>, or null.</summary>
    public static ModelFamily? FamilyNamed(string name) =>
        Enum.GetValues<ModelFamily>().Select(f => (ModelFamily?)f).FirstOrDefault(f => FamilyName(f!.Value) == name);

    static Fin<ModelFamily> ParseFamily(string name, string path) =>
        FamilyNamed(name) is { } family
            ? family
            : FinFail<ModelFamily>(EngineErrors.ParquetSchema(path, $"family '{name}' is not one of {string.Join(", ", Enum.GetValues<ModelFamily>().Select(FamilyName))}"));

    public override async Task<ImmutableArray<string>> WriteAsync(TrainedModels value, string directory, CancellationToken ct)
    {
        await RunsTable.WriteAsync(directory, value.Runs, ct).ConfigureAwait(false);
        await HistoryTable.WriteAsync(directory, value.History, ct).ConfigureAwait(false);
        await RanksTable.WriteAsync(directory, value.Ranks, ct).ConfigureAwait(false);
        await ItemsTable.WriteAsync(directory, value.Items, ct).ConfigureAwait(false);
        await SessionsTable.WriteAsync(directory, value.BaselineSessions, ct).ConfigureAwait(false);
        await FactsTable.WriteAsync(directory, [value.Facts], ct).ConfigureAwait(false);
        foreach (var file in value.Files)
            await file.WriteToAsync(Path.Combine(directory, file.Name), ct).ConfigureAwait(false);
        return [RunsTable.File, HistoryTable.File, RanksTable.File, ItemsTable.File, SessionsTable.File, FactsTable.File,
            .. value.Files.Select(f => f.Name)];
    }

    public override async Task<Fin<TrainedModels>> ReadAsync(string directory, CancellationToken ct)
    {
        var runs = await RunsTable.ReadAsync(directory, ct).ConfigureAwait(false);
        var history = await HistoryTable.ReadAsync(directory, ct).ConfigureAwait(false);
        var ranks = await RanksTable.ReadAsync(directory, ct).ConfigureAwait(false);
        var items = await ItemsTable.ReadAsync(directory, ct).ConfigureAwait(false);
        var sessions = await SessionsTable.ReadAsync(directory, ct).ConfigureAwait(false);
        var facts = await FactsTable.ReadAsync(directory, ct).ConfigureAwait(false);
        return
            from r in runs
            from runRows in ToRuns(r)
            from h in history
            from k in ranks
            from i in items
            from s in sessions
            from f in facts
            from fact in ToFacts(f)
            from files in Checkpoints(directory, runRows)
            select new TrainedModels(fact, runRows, ToHistory(h), ToRanks(k), ToItems(i), ToSessions(s), files);
    }

    public override ImmutableSortedDictionary<string, long> RowCounts(TrainedModels value) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [
            KeyValuePair.Create("runs", (long)value.Runs.Length),
            KeyValuePair.Create("epochs", (long)value.History.Length),
            KeyValuePair.Create("ranks", (long)value.Ranks.Length),
            KeyValuePair.Create("checkpoints", (long)value.Runs.Count(r => r.Checkpoint.Length > 0)),
        ]);

    public static string WeightsFile(string stem) => stem + WeightsExtension;
    public static string ManifestFile(string stem) => stem + ManifestExtension;

    static Fin<ImmutableArray<StoredFile>> Checkpoints(string directory, ImmutableArray<ModelRun> runs)
    {
        var files = ImmutableArray.CreateBuilder<StoredFile>();
        foreach (var run in runs.Where(r => r.Checkpoint.Length > 0))
            foreach (var name in new[] { WeightsFile(run.Checkpoint), ManifestFile(run.Checkpoint) })
            {
                var path = Path.Combine(directory, name);
                if (!File.Exists(path))
                    return FinFail<ImmutableArray<StoredFile>>(EngineErrors.ParquetSchema(path, $"checkpoint file of model '{run.Model}' (seed {run.Seed}) is missing"));
                files.Add(StoredFile.OnDisk(name, path));
            }
        return files.ToImmutable();
    }

    static Fin<ImmutableArray<ModelRun>> ToRuns(TableData t)
    {
        var (models, families, seeds, parameters) = (t.String("model"), t.String("family"), t.Int64("seed"), t.String("parameters"));
        var (fingerprints, selected, epochs, selection) = (t.String("fingerprint"), t.Int32("selected_epoch"), t.Int32("epochs_run"), t.String("selection_metric"));
        var stopped = t.Bool("stopped_early");
        var (testCount, validCount, checkpoints) = (t.Int64("test_samples"), t.Int64("validation_samples"), t.String("checkpoint"));
        return Enumerable.Range(0, t.RowCount).Select(Row).AllOrFirstError();

        Fin<ModelRun> Row(int i) =>
            from family in ParseFamily(families[i], t.Path)
            from parsed in ParseParameters(parameters[i], t.Path, i)
            from test in MetricColumns.Read(t, "test_", i, testCount[i]) is { } metrics
                ? FinSucc(metrics)
                : FinFail<Core.Evaluation.RankingMetrics>(EngineErrors.ParquetSchema(t.Path, $"row {i}: test metrics are missing"))
            select new ModelRun(models[i], family, seeds[i], parsed, fingerprints[i], selected[i], epochs[i], selection[i],
                stopped[i], test, MetricColumns.Read(t, "valid_", i, validCount[i]),
                MetricColumns.Read(t, "paper_best_test_", i, testCount[i]), checkpoints[i]);
    }

    static Fin<ImmutableSortedDictionary<string, string>> ParseParameters(string json, string path, int row)
    {
        try
        {
            return (JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [])
                .ToImmutableSortedDictionary(StringComparer.Ordinal);
        }
        catch (JsonException e)
        {
            return FinFail<ImmutableSortedDictionary<string, string>>(EngineErrors.ParquetSchema(path, $"row {row}: parameters are not a JSON object of strings ({e.Message})"));
        }
    }

    static ImmutableArray<EpochRow> ToHistory(TableData t)
    {
        var (models, seeds, epochs) = (t.String("model"), t.Int64("seed"), t.Int32("epoch"));
        var (loss, aux, lr) = (t.Double("loss"), t.Double("aux_loss"), t.Double("lr"));
        var (validCount, testCount) = (t.Int64("validation_samples"), t.Int64("test_samples"));
        return [.. Enumerable.Range(0, t.RowCount).Select(i => new EpochRow(models[i], seeds[i], new EpochRecord(
            epochs[i], loss[i], aux[i], lr[i], MetricColumns.Read(t, "valid_", i, validCount[i]), MetricColumns.Read(t, "test_", i, testCount[i]))))];
    }

    static ImmutableArray<RankRow> ToRanks(TableData t)
    {
        var (models, seeds, samples, ranks) = (t.String("model"), t.Int64("seed"), t.Int64("sample_id"), t.Int32("rank"));
        var result = ImmutableArray.CreateBuilder<RankRow>(t.RowCount);
        for (var i = 0; i < t.RowCount; i++) result.Add(new RankRow(models[i], seeds[i], samples[i], ranks[i]));
        return result.MoveToImmutable();
    }

    static ImmutableArray<CatalogueItem> ToItems(TableData t)
    {
        var (indices, ids, titles) = (t.Int32("index"), t.Int32("item_id"), t.String("title"));
        return [.. Enumerable.Range(0, t.RowCount).Select(i => new CatalogueItem(indices[i], ids[i], titles[i]))];
    }

    static ImmutableArray<Session> ToSessions(TableData t)
    {
        var (ids, keys, items) = (t.Int64("session_id"), t.Int64("session_key"), t.Int32List("items"));
        return [.. Enumerable.Range(0, t.RowCount).Select(i => new Session(ids[i], keys[i], 0, items[i]))];
    }

    static Fin<TrainingFacts> ToFacts(TableData t) =>
        t.RowCount != 1
            ? FinFail<TrainingFacts>(EngineErrors.ParquetSchema(t.Path, $"expected one row, found {t.RowCount}"))
            : new TrainingFacts(t.Int32("fit_samples")[0], t.Int32("validation_samples")[0], t.Int32("test_samples")[0], t.Int32("items")[0],
                t.Double("validation_fraction")[0], t.String("device")[0], t.String("views_engine")[0],
                [.. t.String("views")[0].Split(',', StringSplitOptions.RemoveEmptyEntries)]);
}
