using System.Collections.Immutable;
using System.Text;
using LanguageExt;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Parquet;
using Llm4Sbr.Engine.Stages;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Modeling.Report;

/// <summary>Files of the <c>report</c> stage: <c>report.md</c> (UTF-8 Markdown),
/// <c>report_metrics.parquet</c> (long form: model, metric, value) and <c>report_facts.parquet</c>.</summary>
public sealed class ReportCodec : StageCodec<ReportOutput>
{
    public static ReportCodec Instance { get; } = new();
    public const string MarkdownFile = "report.md";

    sealed record MetricRow(string Model, string Metric, double Value);

    static readonly ParquetTable<MetricRow> MetricsTable = new("report_metrics.parquet",
        "The reported result per model: mean over seeds of the validation-selected epoch's test metric, a fraction.",
        Col.String<MetricRow>("model", "Model name, in the order of `models`.", r => r.Model),
        Col.String<MetricRow>("metric", "p@5, p@10, p@20, mrr@5, ..., ndcg@20.", r => r.Metric),
        Col.Double<MetricRow>("value", "Fraction in [0, 1].", r => r.Value));

    static readonly ParquetTable<ReportOutput> FactsTable = new("report_facts.parquet",
        "One row: what produced the view embeddings.",
        Col.String<ReportOutput>("llm", "The LLM label shown in the report.", r => r.LlmLabel),
        Col.Bool<ReportOutput>("used_llm", "False when no model read views or the views came from the offline engine.", r => r.UsedLlm));

    public override string Id => "report/1";
    public override ImmutableArray<TableDoc> Tables => [
        new TableDoc(MarkdownFile, "The report (Markdown, UTF-8): Table 3 shape, paper-practice figures apart, dataset figures, training times.", []),
        MetricsTable.Doc, FactsTable.Doc];

    public override async Task<ImmutableArray<string>> WriteAsync(ReportOutput value, string directory, CancellationToken ct)
    {
        await File.WriteAllTextAsync(Path.Combine(directory, MarkdownFile), value.Markdown, new UTF8Encoding(false), ct).ConfigureAwait(false);
        await MetricsTable.WriteAsync(directory, [.. value.Metrics.SelectMany(m => m.Metrics.Select(p => new MetricRow(m.Model, p.Key, p.Value)))], ct).ConfigureAwait(false);
        await FactsTable.WriteAsync(directory, [value], ct).ConfigureAwait(false);
        return [MarkdownFile, MetricsTable.File, FactsTable.File];
    }

    public override async Task<Fin<ReportOutput>> ReadAsync(string directory, CancellationToken ct)
    {
        var path = Path.Combine(directory, MarkdownFile);
        if (!File.Exists(path)) return FinFail<ReportOutput>(EngineErrors.ParquetSchema(path, "file is missing"));
        var markdown = await File.ReadAllTextAsync(path, ct).ConfigureAwait(false);
        var metrics = await MetricsTable.ReadAsync(directory, ct).ConfigureAwait(false);
        var facts = await FactsTable.ReadAsync(directory, ct).ConfigureAwait(false);
        return
            from m in metrics
            from f in facts
            from _ in f.RowCount == 1 ? FinSucc(0) : FinFail<int>(EngineErrors.ParquetSchema(f.Path, $"expected one row, found {f.RowCount}"))
            select new ReportOutput(markdown, ToMetrics(m), f.String("llm")[0], f.Bool("used_llm")[0]);
    }

    public override ImmutableSortedDictionary<string, long> RowCounts(ReportOutput value) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("models", (long)value.Metrics.Length)]);

    static ImmutableArray<ModelMetrics> ToMetrics(TableData t)
    {
        var (models, metrics, values) = (t.String("model"), t.String("metric"), t.Double("value"));
        var order = new List<string>();
        var byModel = new Dictionary<string, ImmutableSortedDictionary<string, double>.Builder>();
        for (var i = 0; i < t.RowCount; i++)
        {
            if (!byModel.TryGetValue(models[i], out var builder))
            {
                builder = ImmutableSortedDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
                byModel[models[i]] = builder;
                order.Add(models[i]);
            }
            builder[metrics[i]] = values[i];
        }
        return [.. order.Select(m => new ModelMetrics(m, byModel[m].ToImmutable()))];
    }
}
