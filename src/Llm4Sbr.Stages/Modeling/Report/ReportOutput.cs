using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace Llm4Sbr.Stages.Modeling.Report;

/// <summary>One model's result as the summary carries it: metric key (<c>p@5</c>, <c>mrr@20</c>,
/// <c>ndcg@10</c> ...) to the mean over seeds of the selected epoch's test value, a fraction in [0, 1].</summary>
public sealed record ModelMetrics(string Model, ImmutableSortedDictionary<string, double> Metrics);

/// <summary>The <c>report</c> stage's output: the Markdown report (<c>report.md</c>), the metrics per
/// model for the run summary (<c>--json</c>), and what produced the view embeddings
/// (<see cref="LlmLabel"/>; <see cref="UsedLlm"/> is false when no model read views or the views came
/// from the offline engine).</summary>
public sealed record ReportOutput(string Markdown, ImmutableArray<ModelMetrics> Metrics, string LlmLabel, bool UsedLlm)
{
    /// <summary><c>{model: {"p@5": 0.12, ..., "ndcg@20": 0.08}}</c>, models in the order of <c>models</c>.</summary>
    public JsonObject MetricsJson() => new(Metrics.Select(m => KeyValuePair.Create(m.Model,
        (JsonNode?)new JsonObject(m.Metrics.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(Math.Round(p.Value, 6))))))));
}
