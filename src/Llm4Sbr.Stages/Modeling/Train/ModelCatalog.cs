using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Baselines;
using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Evaluation;
using Llm4Sbr.Training.Models;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Modeling.Train;

/// <summary>Every model name a pipeline may list under <c>models</c>: the training library's
/// (SR-GNN, the LLM4SBR variants, <c>llm-infer</c>) and the baselines.</summary>
public static class ModelCatalog
{
    public static ImmutableArray<string> Names { get; } = [.. BaselineRegistry.Names, .. ModelRegistry.Names];

    public static ImmutableArray<string> DefaultModels => ModelRegistry.DefaultModels;

    public static Fin<ModelFamily> FamilyOf(string name)
    {
        if (BaselineRegistry.Contains(name)) return FinSucc(ModelFamily.Baseline);
        return ModelRegistry.Find(name).Match(
            spec => FinSucc(spec.Kind switch
            {
                ModelKind.LlmInfer => ModelFamily.LlmInfer,
                ModelKind.TextSimilarity => ModelFamily.TextSimilarity,
                _ => ModelFamily.Neural,
            }),
            _ => FinFail<ModelFamily>(Error.New($"unknown model '{name}'; valid models: {string.Join(", ", Names)}")));
    }

    /// <summary>The views a model reads (none for baselines and plain backbones).</summary>
    public static ImmutableArray<string> ViewsOf(ModelChoice model) => model.Family switch
    {
        ModelFamily.Neural => ModelRegistry.Find(model.Name).Match(s => s.ViewNames, _ => []),
        ModelFamily.LlmInfer => LlmInferViews(model),
        _ => [],
    };

    public static ImmutableArray<string> LlmInferViews(ModelChoice model) =>
        model.Parameters.TryGetValue("views", out var views)
            ? [.. views.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]
            : LlmInferOptions.Default.Views;

    /// <summary>Whether a listed model reads the items' text embeddings (the <c>titles</c> stage):
    /// <c>llmseqsim</c> and the LLM2X models.</summary>
    public static bool ReadsItemTexts(ModelChoice model) =>
        model.Family != ModelFamily.Baseline && ModelRegistry.Find(model.Name).Match(s => s.ReadsItemTexts, _ => false);

    /// <summary>Whether a model is one of the paper's LLM baselines built on item-title embeddings
    /// alone (section 5.2.2: LLMSeqSim, LLM2X), which ask no LLM.</summary>
    public static bool IsTitleEmbeddingBaseline(string model) =>
        !BaselineRegistry.Contains(model) && ModelRegistry.Find(model).Match(s => s.ReadsItemTexts, _ => false);

    /// <summary>The batch format a listed model reads (null for baselines and <c>llm-infer</c>).</summary>
    public static BatchFormat? FormatOf(ModelChoice model) =>
        model.Family == ModelFamily.Neural ? ModelRegistry.Find(model.Name).Match(ModelRegistry.FormatOf, _ => null) : null;

    /// <summary>The training-wide graphs a listed model needs (none for baselines and <c>llm-infer</c>).</summary>
    public static Training.Graphs.GraphNeeds GraphsOf(ModelChoice model) =>
        model.Family == ModelFamily.Neural ? ModelRegistry.Find(model.Name).Match(ModelRegistry.GraphsOf, _ => Training.Graphs.GraphNeeds.None) : Training.Graphs.GraphNeeds.None;

    /// <summary>The version of a listed model's code as it joins memo keys (<see cref="ModelRegistry.CodeVersionOf"/>;
    /// "" for baselines and untrained models, whose code versions are the train stage's own).</summary>
    public static string CodeVersionOf(ModelChoice model) =>
        model.Family == ModelFamily.Neural ? ModelRegistry.Find(model.Name).Match(ModelRegistry.CodeVersionOf, _ => "") : "";

    /// <summary>Display name in reports: the paper's spelling.</summary>
    public static string DisplayName(string model) =>
        BaselineDisplayNames.TryGetValue(model, out var baseline) ? baseline
            : ModelRegistry.Find(model).Match(s => s.DisplayName, _ => model);

    static readonly ImmutableDictionary<string, string> BaselineDisplayNames = ImmutableDictionary.CreateRange(new Dictionary<string, string>
    {
        ["pop"] = "POP", ["spop"] = "S-POP", ["iknn"] = "Item-KNN", ["sknn"] = "SKNN",
        ["vsknn"] = "V-SKNN", ["stan"] = "STAN", ["vstan"] = "VSTAN",
    });

    /// <summary>Where a model sits in the paper's tables (its backbone's place in the registry, then
    /// the variant); unknown names last.</summary>
    public static int PaperOrder(string model)
    {
        int index = ModelRegistry.Names.IndexOf(model);
        return index < 0 ? int.MaxValue : index;
    }

    /// <summary>The backbone an LLM4SBR model enhances (<c>llm4sbr-srgnn-noau</c> -> <c>srgnn</c>), or null.</summary>
    public static string? BackboneOf(string model) =>
        ModelRegistry.Find(model).Match(s => s.IsLlm4Sbr ? s.Backbone : null, _ => (string?)null);
}
