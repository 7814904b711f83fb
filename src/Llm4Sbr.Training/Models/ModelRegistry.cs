using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;
using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Graphs;

namespace Llm4Sbr.Training.Models;

/// <summary>The models the engine knows by name, derived from <see cref="BackboneRegistry"/>: for every
/// backbone X, <c>X</c> (the backbone alone), <c>llm4sbr-X</c> (long view on the long vector, short view
/// on the short vector, alignment + uniformity) and its ablations <c>llm4sbr-X-noau</c>,
/// <c>-nolong</c>, <c>-noshort</c>, <c>-normal</c>, and <c>llm2X</c> (X with its item table initialised
/// from the items' text embeddings, Boz et al. 2024); plus <c>llm-infer</c> and <c>llmseqsim</c>.</summary>
public static class ModelRegistry
{
    public const string SrGnnName = "srgnn";
    public const string Llm4SbrSrGnnName = "llm4sbr-srgnn";
    public const string LlmInferName = "llm-infer";
    public const string Llm4SbrPrefix = "llm4sbr-";
    public const string Llm2Prefix = "llm2";
    public const string LlmSeqSimName = "llmseqsim";

    /// <summary>The LLM4SBR variants of a backbone: name suffix, bindings, alignment + uniformity, display suffix.</summary>
    static readonly ImmutableArray<(string Suffix, ImmutableArray<ViewBinding> Views, bool AlignAndUniform, string Display, string Description)> Variants =
    [
        ("", [new("long", ViewSlot.Long), new("short", ViewSlot.Short)], true, "", "long view on the long vector, short on the short, alignment + uniformity"),
        ("-noau", [new("long", ViewSlot.Long), new("short", ViewSlot.Short)], false, " w/o AU", "without the alignment and uniformity losses"),
        ("-nolong", [new("short", ViewSlot.Short)], true, " w/o long", "with the short view only"),
        ("-noshort", [new("long", ViewSlot.Long)], true, " w/o short", "with the long view only"),
        ("-normal", [new("normal", ViewSlot.Combined)], true, " normal view", "one 'normal' view aligned with and fused into the combined session vector"),
    ];

    public static ImmutableArray<ModelSpec> Specs { get; } =
    [
        .. BackboneRegistry.All.SelectMany(b => Variants
            .Select(v => new ModelSpec($"{Llm4SbrPrefix}{b.Name}{v.Suffix}", ModelKind.Trained, b.Name, v.Views, v.AlignAndUniform,
                $"LLM4SBR({b.DisplayName}){v.Display}", $"LLM4SBR({b.DisplayName}): {v.Description}"))
            .Prepend(new ModelSpec(b.Name, ModelKind.Trained, b.Name, [], false, b.DisplayName, $"{b.DisplayName}, no LLM"))
            .Append(new ModelSpec($"{Llm2Prefix}{b.Name}", ModelKind.Trained, b.Name, [], false, $"LLM2{b.DisplayName}",
                $"LLM2{b.DisplayName}: {b.DisplayName} whose item table starts from the item-title embeddings reduced by PCA, then trained; no LLM asked")
            { InitialisesItemsFromText = true })),
        new(LlmInferName, ModelKind.LlmInfer, "none",
            [new("long", ViewSlot.Combined), new("short", ViewSlot.Combined)], false, "LLM only (w/o SBR)",
            "LLM only (the paper's w/o SBR): view embeddings against item-title embeddings, no training"),
        new(LlmSeqSimName, ModelKind.TextSimilarity, "none", [], false, "LLMSeqSim",
            "LLMSeqSim: the session's item-title embeddings, combined, against every item's; no training, no LLM asked"),
    ];

    public static ImmutableArray<string> Names => [.. Specs.Select(s => s.Name)];

    public static readonly ImmutableArray<string> DefaultModels = [SrGnnName, Llm4SbrSrGnnName];

    public static Fin<ModelSpec> Find(string name) =>
        Specs.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)) is { } spec
            ? spec
            : Error.New($"unknown model '{name}'; valid models: {string.Join(", ", Names)}");

    /// <summary>The backbone entry of a trained model.</summary>
    public static Fin<BackboneEntry> BackboneOf(ModelSpec spec) =>
        BackboneRegistry.Find(spec.Backbone) is { } entry
            ? entry
            : Error.New($"model '{spec.Name}' has no trainable backbone; trainable models: {string.Join(", ", Specs.Where(s => s.Kind == ModelKind.Trained).Select(s => s.Name))}");

    /// <summary>The batch format a model reads (none for <c>llm-infer</c>).</summary>
    public static BatchFormat? FormatOf(ModelSpec spec) => BackboneRegistry.Find(spec.Backbone)?.Format;

    /// <summary>The training-wide graphs a model's constructor needs (none for <c>llm-infer</c>).</summary>
    public static GraphNeeds GraphsOf(ModelSpec spec) => BackboneRegistry.Find(spec.Backbone)?.Needs ?? GraphNeeds.None;

    /// <summary>The version of a model's own code, as it joins memo keys (a fit's, and the train stage's):
    /// the backbone's <see cref="BackboneEntry.Version"/>, and the wrapper's <see cref="Llm4SbrModel.Version"/>
    /// for an LLM4SBR model. Version 1 is implicit and adds nothing (""), so the keys made before versions
    /// existed stay valid; a bumped one adds e.g. <c>+sasrec2</c> or <c>+llm4sbr2</c>.</summary>
    public static string CodeVersionOf(ModelSpec spec) => CodeVersion(spec, BackboneRegistry.Find(spec.Backbone), Llm4SbrModel.Version);

    /// <summary><see cref="CodeVersionOf"/> for a given backbone entry and wrapper version.</summary>
    public static string CodeVersion(ModelSpec spec, BackboneEntry? backbone, int wrapperVersion) =>
        (backbone is { Version: > 1 } b ? $"+{b.Name}{b.Version}" : "") + (spec.IsLlm4Sbr && wrapperVersion > 1 ? $"+llm4sbr{wrapperVersion}" : "");

    /// <summary>Every key a model takes under <c>model_params</c>: hidden (and lambda for LLM4SBR models)
    /// and its backbone's own.</summary>
    public static ParameterSchema ParametersOf(ModelSpec spec)
    {
        if (spec.Kind == ModelKind.TextSimilarity) return Evaluation.LlmSeqSim.Parameters;
        var common = ImmutableArray.Create(ParameterSpec.Integer("hidden", 100, 1, 4096, "hidden size H (default: training.hidden)"));
        if (spec.IsLlm4Sbr) common = common.Add(ParameterSpec.Real("lambda", 0.1, 0, 1000, "weight of the alignment + uniformity loss (default: training.lambda)"));
        var entry = BackboneRegistry.Find(spec.Backbone);
        var own = entry?.Parameters ?? ParameterSchema.Empty;
        if (spec.IsLlm4Sbr && entry is { Llm4SbrDefaults.IsEmpty: false })
            own = new ParameterSchema([.. own.Specs.Select(p => entry.Llm4SbrDefaults.TryGetValue(p.Name, out var d) ? p with { Default = d } : p)]);
        return new ParameterSchema(common).With(own);
    }

    /// <summary>Builds a trainable model, initialised from <paramref name="seed"/>. <paramref name="itemSlots"/>
    /// is the vocabulary's size (items + the padding index); <paramref name="viewDims"/> gives the text
    /// embedding dimension of each view the model needs; <paramref name="graphs"/> the training-wide graphs
    /// in the vocabulary's dense indices, for a backbone whose entry declares <see cref="BackboneEntry.Needs"/>.
    /// <paramref name="itemTexts"/> (row j: the text embedding of the item of dense index j + 1) initialises
    /// an LLM2X model's item table after the seeded initialisation; without it (a checkpoint about to be
    /// loaded) the table keeps the seeded values.</summary>
    public static Fin<SessionModel> Create(ModelSpec spec, int itemSlots, ModelOptions options, IReadOnlyDictionary<string, int> viewDims, ulong seed = 1,
        Core.Embeddings.EmbeddingMatrix? itemTexts = null, ItemGraphs? graphs = null)
    {
        if (spec.Kind != ModelKind.Trained)
            return Error.New($"model '{spec.Name}' is not trained; trainable models: {string.Join(", ", Specs.Where(s => s.Kind == ModelKind.Trained).Select(s => s.Name))}");
        var missing = spec.ViewNames.Where(v => !viewDims.ContainsKey(v)).ToArray();
        if (missing.Length > 0)
            return Error.New($"model '{spec.Name}' needs the view(s) {string.Join(", ", missing)}; available views: {(viewDims.Count == 0 ? "(none)" : string.Join(", ", viewDims.Keys.Order()))}");
        var lacking = GraphsOf(spec) & ~(graphs?.Has ?? GraphNeeds.None);
        if (lacking != GraphNeeds.None)
            return Error.New($"model '{spec.Name}' needs the training graphs ({lacking}) of the graphs stage; none were given");
        return from entry in BackboneOf(spec)
               from backbone in Construct(spec, entry, new BackboneArguments(itemSlots - 1, options.HiddenSize, ParametersOf(spec).Resolve(options.Parameters.Values)) { Graphs = graphs })
               from model in Wrap(spec, backbone, options, viewDims, seed, itemTexts)
               select model;
    }

    static Fin<SessionModel> Wrap(ModelSpec spec, Backbones.SessionBackbone backbone, ModelOptions options, IReadOnlyDictionary<string, int> viewDims, ulong seed,
        Core.Embeddings.EmbeddingMatrix? itemTexts)
    {
        var model = spec.IsLlm4Sbr
            ? (SessionModel)new Llm4SbrModel(backbone, spec.Views, viewDims, spec.AlignAndUniform, options.AlignUniformWeight, seed)
            : new BackboneModel(backbone, seed);
        if (!spec.InitialisesItemsFromText || itemTexts is null) return model;
        return TextInitialisation.ItemTextInitialisation.Apply(backbone, itemTexts).Match(
            Succ: _ => FinSucc(model),
            Fail: error =>
            {
                model.Dispose();
                return FinFail<SessionModel>(Error.New($"model '{spec.Name}': {error.Message}"));
            });
    }

    static Fin<Backbones.SessionBackbone> Construct(ModelSpec spec, BackboneEntry entry, BackboneArguments arguments)
    {
        try
        {
            return entry.Create(arguments);
        }
        catch (ArgumentException e)
        {
            return Error.New($"model '{spec.Name}': {e.Message}");
        }
    }
}
