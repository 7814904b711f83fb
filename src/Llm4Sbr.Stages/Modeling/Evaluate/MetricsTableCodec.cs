using System.Collections.Immutable;
using System.Globalization;
using LanguageExt;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Parquet;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Stages.Modeling.Train;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Modeling.Evaluate;

/// <summary>Parquet layout of <see cref="MetricsTable"/>: <c>metrics.parquet</c>, one row per model
/// (mean and standard deviation over seeds; the paper-practice columns apart, prefixed
/// <c>paper_best_test_</c>), and <c>metrics_by_run.parquet</c>, one row per model and seed.</summary>
public sealed class MetricsTableCodec : StageCodec<MetricsTable>
{
    public static MetricsTableCodec Instance { get; } = new();

    static readonly ParquetTable<ModelSummary> ModelsTable = new("metrics.parquet",
        "The result: per model, the test metrics of the validation-selected epoch, mean and standard deviation over seeds. "
        + "Columns prefixed paper_best_test_ follow the reference code's practice (best test epoch per metric) and are NOT the result.",
        [
            Col.String<ModelSummary>("model", "Model name as in `models`.", m => m.Model),
            Col.String<ModelSummary>("family", "'neural', 'baseline', 'llm-infer' or 'text-similarity'.", m => TrainedModelsCodec.FamilyName(m.Family)),
            Col.Int32<ModelSummary>("runs", "Runs averaged (seeds; 1 for deterministic models).", m => m.Runs),
            Col.String<ModelSummary>("seeds", "Seeds, comma-separated; -1 for deterministic models.", m => string.Join(",", m.Seeds.Select(s => s.ToString(CultureInfo.InvariantCulture)))),
            Col.Int64<ModelSummary>("test_samples", "Test samples each run ranked (all of them).", m => m.TestSamples),
            Col.Double<ModelSummary>("selected_epoch_mean", "Mean validation-selected epoch (0 without epochs).", m => m.SelectedEpochMean),
            Col.Double<ModelSummary>("epochs_run_mean", "Mean epochs trained (0 without epochs).", m => m.EpochsRunMean),
            .. MetricColumns.For<ModelSummary>("", "on the test set at the selected epoch, mean over seeds (THE result)", m => m.Mean),
            .. MetricColumns.For<ModelSummary>("std_", "standard deviation over seeds (n - 1; 0 with one run)", m => m.StandardDeviation),
            .. MetricColumns.For<ModelSummary>("paper_best_test_", "paper practice: maximum over epochs on the test set, mean over seeds (peeks at the test set)", m => m.PaperBestTest),
        ]);

    static readonly ParquetTable<RunMetrics> RunsTable = new("metrics_by_run.parquet",
        "Per model and seed: the selected epoch's test metrics, recomputed from the stored ranks.",
        [
            Col.String<RunMetrics>("model", "Model name.", r => r.Model),
            Col.Int64<RunMetrics>("seed", "Seed; -1 for deterministic models.", r => r.Seed),
            Col.Int32<RunMetrics>("selected_epoch", "Epoch chosen on validation (0 without epochs).", r => r.SelectedEpoch),
            Col.Int64<RunMetrics>("test_samples", "Test samples ranked.", r => r.Test.Count),
            .. MetricColumns.For<RunMetrics>("", "on the test set at the selected epoch", r => r.Test),
            .. MetricColumns.For<RunMetrics>("paper_best_test_", "paper practice: maximum over epochs on the test set", r => r.PaperBestTest),
        ]);

    public override string Id => "metrics-table/2";
    public override ImmutableArray<TableDoc> Tables => [ModelsTable.Doc, RunsTable.Doc];

    public override async Task<ImmutableArray<string>> WriteAsync(MetricsTable value, string directory, CancellationToken ct)
    {
        await ModelsTable.WriteAsync(directory, value.Models, ct).ConfigureAwait(false);
        await RunsTable.WriteAsync(directory, value.Runs, ct).ConfigureAwait(false);
        return [ModelsTable.File, RunsTable.File];
    }

    public override async Task<Fin<MetricsTable>> ReadAsync(string directory, CancellationToken ct)
    {
        var models = await ModelsTable.ReadAsync(directory, ct).ConfigureAwait(false);
        var runs = await RunsTable.ReadAsync(directory, ct).ConfigureAwait(false);
        return
            from m in models
            from summaries in ToModels(m)
            from r in runs
            select new MetricsTable(summaries, ToRuns(r));
    }

    public override ImmutableSortedDictionary<string, long> RowCounts(MetricsTable value) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [
            KeyValuePair.Create("models", (long)value.Models.Length),
            KeyValuePair.Create("runs", (long)value.Runs.Length),
        ]);

    static Fin<ImmutableArray<ModelSummary>> ToModels(TableData t)
    {
        var (models, families, seeds, samples) = (t.String("model"), t.String("family"), t.String("seeds"), t.Int64("test_samples"));
        var (selected, epochs) = (t.Double("selected_epoch_mean"), t.Double("epochs_run_mean"));
        var result = ImmutableArray.CreateBuilder<ModelSummary>(t.RowCount);
        for (var i = 0; i < t.RowCount; i++)
        {
            var family = TrainedModelsCodec.FamilyNamed(families[i]);
            var mean = MetricColumns.Read(t, "", i, samples[i]);
            var std = MetricColumns.Read(t, "std_", i, samples[i]);
            if (family is null || mean is null || std is null)
                return FinFail<ImmutableArray<ModelSummary>>(EngineErrors.ParquetSchema(t.Path, $"row {i}: unknown family '{families[i]}' or metrics missing"));
            result.Add(new ModelSummary(models[i], family.Value,
                [.. seeds[i].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => long.Parse(s, CultureInfo.InvariantCulture))],
                samples[i], mean, std, MetricColumns.Read(t, "paper_best_test_", i, samples[i]), selected[i], epochs[i]));
        }
        return result.MoveToImmutable();
    }

    static ImmutableArray<RunMetrics> ToRuns(TableData t)
    {
        var (models, seeds, selected, samples) = (t.String("model"), t.Int64("seed"), t.Int32("selected_epoch"), t.Int64("test_samples"));
        return [.. Enumerable.Range(0, t.RowCount).Select(i => new RunMetrics(models[i], seeds[i], selected[i],
            MetricColumns.Read(t, "", i, samples[i])!, MetricColumns.Read(t, "paper_best_test_", i, samples[i])))];
    }
}
