using System.Text.Json.Nodes;
using LanguageExt;
using Llm4Sbr.Engine.Dataflow;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Stages.Modeling.Batches;
using Llm4Sbr.Stages.Modeling.Evaluate;
using Llm4Sbr.Stages.Modeling.Report;
using Llm4Sbr.Stages.Modeling.Train;

namespace Llm4Sbr.Stages.Modeling;

/// <summary>The modeling stages: <c>batches (→ session-graphs) (training-part → graphs) → train → evaluate → report</c>.</summary>
public static class ModelingStageModules
{
    /// <summary>The stage that produces view embeddings (an <see cref="Views.IViewEmbeddingSource"/>)
    /// once the intent stages are part of the product.</summary>
    public const string LocalizeStage = "localize";

    /// <summary>The stage that produces the item-title embeddings once the intent stages are part of the product.</summary>
    public const string TitlesStage = "titles";

    /// <param name="viewsStage">The stage <c>train</c> reads view embeddings from when a configured
    /// model needs them; null when the product has no such stage (models that need views are then
    /// rejected when the pipeline is read, naming what is missing).</param>
    /// <param name="overrides">Command-line overrides (<c>--models</c>, <c>--seeds</c>, ...).</param>
    /// <param name="itemTextsStage">The stage <c>train</c> reads item-title embeddings from when a
    /// configured model needs them (<c>llmseqsim</c>, <c>llm2X</c>); null when there is none.</param>
    public static IStageModule[] All(string? viewsStage, ModelingOverrides? overrides = null, string? itemTextsStage = null) =>
        [new BatchesStage(), new SessionGraphsStage(), new Graphs.TrainingPartStage(), new Graphs.GraphsStage(overrides), new TrainStage(viewsStage, overrides, itemTextsStage), new EvaluateStage(), new ReportStage()];

    /// <summary><see cref="LocalizeStage"/> when <paramref name="upstream"/> builds it, else null: the
    /// modeling stages read views exactly when the catalogue they join has the intent stages.</summary>
    public static string? ViewsStageIn(StageCatalog upstream) =>
        upstream.Modules.Any(m => m.Stage == LocalizeStage) ? LocalizeStage : null;

    /// <summary><see cref="TitlesStage"/> when <paramref name="upstream"/> builds it, else null.</summary>
    public static string? ItemTextsStageIn(StageCatalog upstream) =>
        upstream.Modules.Any(m => m.Stage == TitlesStage) ? TitlesStage : null;

    /// <summary>The <c>metrics</c> member of the run summary (<c>--json</c>, <c>run.json</c>):
    /// <c>{model: {"p@5": ..., "mrr@20": ...}}</c>, fractions; null when the run did not produce a report.</summary>
    public static async Task<JsonNode?> MetricsJsonAsync(RunResult run, CancellationToken ct)
    {
        if (!run.Stages.Any(s => s.Name == ReportStage.Name && s.Succeeded)) return null;
        var report = await run.OutputAsync<ReportOutput>(ReportStage.Name, ct).ConfigureAwait(false);
        return report.Match(r => (JsonNode?)r.MetricsJson(), _ => null);
    }
}
