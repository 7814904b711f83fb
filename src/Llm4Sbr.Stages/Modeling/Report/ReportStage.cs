using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Stages.Data;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Stages.Modeling.Evaluate;
using Llm4Sbr.Stages.Modeling.Train;
using Llm4Sbr.Stages.Modeling.Views;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Modeling.Report;

/// <summary>Configuration of <c>report</c>: names to show and the LLM the pipeline file configures
/// (<c>llm.engine</c> and <c>llm.model</c>, read without claiming the intent stages' section; null
/// when the file has no <c>llm</c> section), and the train stage's <c>training.patience</c> and
/// <c>training.min_gain</c>, with which the report replays the choice of an epoch under other validation
/// metrics (<see cref="SelectionReplays"/>). <see cref="MinGain"/> stays out of the key at 0.</summary>
public sealed record ReportConfig(string Pipeline, string Dataset, string? LlmConfigured, int Patience,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)] double MinGain = 0);

/// <summary>The <c>report</c> stage: <c>report.md</c> shaped like the paper's Table 3 (baselines,
/// backbone vs LLM4SBR(backbone) with improvement %, the LLM alone), the paper-practice figures in a
/// separate labelled table, dataset figures, the LLM engine used (or that none was), and training
/// time per epoch; plus the metrics per model for the run's JSON summary. No section of its own.</summary>
public sealed class ReportStage : IStageModule
{
    public const string Name = "report";
    public static readonly StageInput<ReportOutput> Output = new(Name);
    // 3: the later tables follow Table 3's order. 4: the choice of the selection metric.
    public const string Version = "4";

    public string Stage => Name;
    public ImmutableArray<string> Sections => [];

    public Validation<Error, IStage> Build(PipelineSections sections, PipelineContext context)
    {
        var dataset = Scalar(sections["dataset"], "name") ?? context.Name;
        var llm = sections["llm"];
        string? configured = null;
        if (llm.IsPresent)
        {
            var engine = Scalar(llm, "engine") ?? "offline (default)";
            var model = Scalar(llm, "model");
            configured = model is null ? engine : $"{engine} {model}";
        }
        var (patience, minGain) = TrainStage.StoppingOf(sections["training"]);
        return Success<Error, IStage>(Engine.Stages.Stage.Pure(Name, Version, new ReportConfig(context.Name, dataset, configured, patience, minGain), ReportCodec.Instance,
            [EvaluateStage.Output, TrainStage.Output, SplitStage.Output, SamplesStage.Output],
            (c, inputs, _) => FinSucc(Run(c, inputs.Get(EvaluateStage.Output), inputs.Get(TrainStage.Output),
                inputs.Get(SplitStage.Output), inputs.Get(SamplesStage.Output)))));
    }

    static string? Scalar(ConfigSection section, string key) =>
        section.Node is ConfigMap map && map.Find(key)?.Value is ConfigScalar { IsNull: false } s ? s.Value : null;

    /// <summary>Pure.</summary>
    public static ReportOutput Run(ReportConfig config, MetricsTable metrics, TrainedModels trained, SplitSet split, SampleSet samples)
    {
        var (label, usedLlm) = LlmLabel(trained.Facts, config.LlmConfigured);
        var inputs = new ReportInputs(config, DatasetSummaries.Summarize(config.Dataset, split, samples), trained.Facts, metrics, trained.Runs, trained.History, label, usedLlm);
        var perModel = metrics.Models.Select(m => new ModelMetrics(m.Model,
            MetricColumns.Measures.SelectMany(measure => MetricColumns.Cutoffs.Select(k =>
                KeyValuePair.Create(MetricColumns.JsonKey(measure.Name, k), MetricColumns.Value(m.Mean, measure.Name, k))))
            .ToImmutableSortedDictionary(StringComparer.Ordinal)));
        return new ReportOutput(ReportMarkdown.Render(inputs), [.. perModel], label, usedLlm);
    }

    /// <summary>What the report says about the LLM, and whether one was really asked.</summary>
    public static (string Label, bool UsedLlm) LlmLabel(TrainingFacts facts, string? configured)
    {
        if (facts.Views.IsEmpty)
            return ("none. These results were obtained without an LLM: no model of this run reads view embeddings"
                + (configured is null ? "." : $" (the pipeline configures the LLM engine {configured}, unused here)."), false);
        if (ViewEmbeddingSources.IsOffline(facts.ViewsEngine))
            return ($"offline engine ({facts.ViewsEngine}): deterministic rules over item-title embeddings, no LLM was asked. "
                + "The LLM4SBR and LLM-only rows were obtained without an LLM.", false);
        return ($"{facts.ViewsEngine} (views {string.Join(", ", facts.Views)}).", true);
    }
}
