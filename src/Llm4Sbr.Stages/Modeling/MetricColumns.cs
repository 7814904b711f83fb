using System.Collections.Immutable;
using Llm4Sbr.Core.Evaluation;
using Llm4Sbr.Engine.Parquet;

namespace Llm4Sbr.Stages.Modeling;

/// <summary>The nine metric columns every modeling table uses for one set of metrics:
/// <c>{prefix}p5, p10, p20, mrr5, mrr10, mrr20, ndcg5, ndcg10, ndcg20</c>, fractions in [0, 1],
/// NaN when the set is absent (e.g. no validation).</summary>
public static class MetricColumns
{
    public static ImmutableArray<int> Cutoffs => RankingMetrics.DefaultCutoffs;

    public static readonly ImmutableArray<(string Name, string Label, Func<MetricsAtK, double> Get)> Measures =
    [
        ("p", "P", m => m.Precision),
        ("mrr", "MRR", m => m.Mrr),
        ("ndcg", "NDCG", m => m.Ndcg),
    ];

    /// <summary>Every (column suffix, label) in table order: <c>("p5", "P@5")</c> ...</summary>
    public static IEnumerable<(string Column, string Label)> Names =>
        Measures.SelectMany(m => Cutoffs.Select(k => ($"{m.Name}{k}", $"{m.Label}@{k}")));

    /// <summary>The metric keys of the JSON summary: <c>p@5</c>, <c>mrr@20</c>, ...</summary>
    public static string JsonKey(string measure, int k) => $"{measure}@{k}";

    public static double Value(RankingMetrics? metrics, string measure, int k)
    {
        if (metrics is null) return double.NaN;
        var atK = metrics.AtK.FirstOrDefault(m => m.K == k);
        if (atK is null) return double.NaN;
        return Measures.First(m => m.Name == measure).Get(atK);
    }

    public static IEnumerable<Column<TRow>> For<TRow>(string prefix, string what, Func<TRow, RankingMetrics?> get) =>
        Measures.SelectMany(m => Cutoffs.Select(k => Col.Double<TRow>($"{prefix}{m.Name}{k}",
            $"{m.Label}@{k} {what}; NaN when absent.", r => Value(get(r), m.Name, k))));

    /// <summary>Metrics back from the columns of row <paramref name="row"/>; null when they are NaN.</summary>
    public static RankingMetrics? Read(TableData t, string prefix, int row, long count)
    {
        var atK = ImmutableArray.CreateBuilder<MetricsAtK>();
        foreach (var k in Cutoffs)
        {
            var p = t.Double($"{prefix}p{k}")[row];
            var mrr = t.Double($"{prefix}mrr{k}")[row];
            var ndcg = t.Double($"{prefix}ndcg{k}")[row];
            if (double.IsNaN(p)) return null;
            atK.Add(new MetricsAtK(k, p, mrr, ndcg));
        }
        return new RankingMetrics(count, atK.ToImmutable());
    }
}
