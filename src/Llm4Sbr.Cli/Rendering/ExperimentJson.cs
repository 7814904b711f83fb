using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Llm4Sbr.Stages.Experiments;
using Llm4Sbr.Stages.Modeling;

namespace Llm4Sbr.Cli.Rendering;

/// <summary><c>experiment --json</c>: one object with the plan, the LLM label, every cell (key, variant,
/// settings, model, seed, cached, computed stages, seconds, evaluate stage key, metrics), every model's
/// mean and std over seeds, the paired tests and the files written.</summary>
public static class ExperimentJson
{
    public static JsonObject Build(ExperimentOutcome o, ImmutableArray<string> files, double seconds) => new()
    {
        ["pipeline"] = o.Pipeline,
        ["plan"] = o.Plan.Name,
        ["plan_file"] = o.Plan.File,
        ["dataset"] = o.Dataset,
        ["seeds"] = new JsonArray([.. o.Seeds.Select(s => (JsonNode)s)]),
        ["llm"] = o.LlmLabel,
        ["used_llm"] = o.UsedLlm,
        ["succeeded"] = true,
        ["cells"] = new JsonArray([.. o.Cells.Select(c => (JsonNode)new JsonObject
        {
            ["key"] = c.Cell.Key,
            ["variant"] = c.Cell.Variant,
            ["settings"] = new JsonObject(c.Cell.Settings.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
            ["model"] = c.Cell.Model,
            ["seed"] = c.Cell.Seed,
            ["cached"] = c.Cached,
            ["computed"] = new JsonArray([.. c.Computed.Select(s => (JsonNode)s)]),
            ["seconds"] = Math.Round(c.Seconds, 3),
            ["evaluate_key"] = c.EvaluateKey,
            ["metrics"] = new JsonObject(MetricRef.All.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)Math.Round(MetricColumns.Value(c.Metrics, m.Measure, m.K), 6)))),
        })]),
        ["models"] = new JsonArray([.. o.Models.Select(m => (JsonNode)new JsonObject
        {
            ["variant"] = m.Variant,
            ["model"] = m.Model,
            ["label"] = m.Label,
            ["seeds"] = new JsonArray([.. m.Seeds.Select(s => (JsonNode)s)]),
            ["metrics"] = new JsonObject(m.Metrics.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)new JsonObject
            {
                ["mean"] = Math.Round(p.Value.Mean, 6),
                ["std"] = Math.Round(p.Value.Std, 6),
            }))),
        })]),
        ["pairs"] = new JsonArray([.. o.Pairs.Select(p => (JsonNode)new JsonObject
        {
            ["variant"] = p.Variant,
            ["backbone"] = p.Backbone,
            ["compared"] = p.Enhanced,
            ["mrr@20"] = Test(p.Mrr20),
            ["p@20"] = Test(p.P20),
        })]),
        ["files"] = new JsonArray([.. files.Select(f => (JsonNode)f)]),
        ["summary"] = new JsonObject
        {
            ["cells"] = o.Cells.Length,
            ["computed"] = o.Cells.Count(c => !c.Cached),
            ["cached"] = o.Cells.Count(c => c.Cached),
            ["seconds"] = Math.Round(seconds, 3),
        },
    };

    static JsonObject Test(PairedTest t) => new()
    {
        ["samples"] = t.Samples,
        ["mean_backbone"] = Round(t.MeanA),
        ["mean_compared"] = Round(t.MeanB),
        ["difference"] = Round(t.Difference),
        ["ci95_low"] = Round(t.Low),
        ["ci95_high"] = Round(t.High),
        ["p_value"] = Round(t.PValue),
        ["resamples"] = t.Resamples,
        ["method"] = "paired bootstrap",
    };

    static JsonNode? Round(double v) => double.IsFinite(v) ? Math.Round(v, 6) : null;
}
