using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;

namespace Llm4Sbr.Training.Models;

/// <summary>The models the engine knows by name, and their constructors.</summary>
public static class ModelRegistry
{
    public const string SrGnnName = "srgnn";
    public const string Llm4SbrSrGnnName = "llm4sbr-srgnn";
    public const string LlmInferName = "llm-infer";

    public static readonly ImmutableArray<ModelSpec> Specs =
    [
        new(SrGnnName, ModelKind.Trained, "srgnn", [], false, "SR-GNN, no LLM"),
        new(Llm4SbrSrGnnName, ModelKind.Trained, "srgnn",
            [new("long", SessionSlot.Global), new("short", SessionSlot.Local)], true, "LLM4SBR(SR-GNN): long->global, short->local, alignment+uniformity"),
        new("llm4sbr-srgnn-noau", ModelKind.Trained, "srgnn",
            [new("long", SessionSlot.Global), new("short", SessionSlot.Local)], false, "LLM4SBR(SR-GNN) without alignment and uniformity losses"),
        new("llm4sbr-srgnn-nolong", ModelKind.Trained, "srgnn",
            [new("short", SessionSlot.Local)], true, "LLM4SBR(SR-GNN) with the short view only"),
        new("llm4sbr-srgnn-noshort", ModelKind.Trained, "srgnn",
            [new("long", SessionSlot.Global)], true, "LLM4SBR(SR-GNN) with the long view only"),
        new("llm4sbr-srgnn-normal", ModelKind.Trained, "srgnn",
            [new("normal", SessionSlot.Hybrid)], true, "LLM4SBR(SR-GNN) with one 'normal' view aligned with the hybrid session vector"),
        new(LlmInferName, ModelKind.LlmInfer, "none",
            [new("long", SessionSlot.Hybrid), new("short", SessionSlot.Hybrid)], false, "LLM only (the paper's w/o SBR): view embeddings against item-title embeddings, no training"),
    ];

    public static ImmutableArray<string> Names => [.. Specs.Select(s => s.Name)];

    public static readonly ImmutableArray<string> DefaultModels = [SrGnnName, Llm4SbrSrGnnName];

    public static Fin<ModelSpec> Find(string name) =>
        Specs.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)) is { } spec
            ? spec
            : Error.New($"unknown model '{name}'; valid models: {string.Join(", ", Names)}");

    /// <summary>Builds a trainable model, initialised from <paramref name="seed"/>. <paramref name="viewDims"/>
    /// gives the text embedding dimension of each view the model needs.</summary>
    public static Fin<SessionModel> Create(ModelSpec spec, int itemSlots, ModelOptions options, IReadOnlyDictionary<string, int> viewDims, ulong seed = 1)
    {
        if (spec.Kind != ModelKind.Trained)
            return Error.New($"model '{spec.Name}' is not trained; trainable models: {string.Join(", ", Specs.Where(s => s.Kind == ModelKind.Trained).Select(s => s.Name))}");
        var missing = spec.ViewNames.Where(v => !viewDims.ContainsKey(v)).ToArray();
        if (missing.Length > 0)
            return Error.New($"model '{spec.Name}' needs the view(s) {string.Join(", ", missing)}; available views: {(viewDims.Count == 0 ? "(none)" : string.Join(", ", viewDims.Keys.Order()))}");
        return spec.Backbone switch
        {
            "srgnn" when spec.Views.IsEmpty => new SrGnn(itemSlots, options, seed),
            "srgnn" => new Llm4SbrSrGnn(itemSlots, options, spec.Views, viewDims, spec.AlignAndUniform, seed),
            _ => Error.New($"model '{spec.Name}': unknown backbone '{spec.Backbone}'; known backbones: srgnn"),
        };
    }
}
