using System.Collections.Immutable;

namespace Llm4Sbr.Training.Models;

/// <summary>Which backbone vector a view is aligned with and fused into: the long (whole-session)
/// vector, the short (last-click) vector, or the combined vector (the <c>normal</c> ablation).</summary>
public enum ViewSlot { Long, Short, Combined }

/// <summary>A view bound to a slot.</summary>
public sealed record ViewBinding(string View, ViewSlot Slot);

public enum ModelKind
{
    /// <summary>Trained with <see cref="Fitting.Trainer"/>.</summary>
    Trained,
    /// <summary>No training: scores from the view embeddings against item-title embeddings (<see cref="Evaluation.LlmInfer"/>).</summary>
    LlmInfer,
    /// <summary>No training: a session's item-title embeddings, aggregated, against every item's
    /// (<see cref="Evaluation.LlmSeqSim"/>).</summary>
    TextSimilarity,
}

/// <summary>A named model: its backbone (a <see cref="BackboneRegistry"/> name, or <c>none</c>), its views and
/// whether the alignment and uniformity losses are on. <see cref="DisplayName"/> is the paper's spelling.</summary>
public sealed record ModelSpec(string Name, ModelKind Kind, string Backbone, ImmutableArray<ViewBinding> Views, bool AlignAndUniform, string DisplayName, string Description)
{
    public ImmutableArray<string> ViewNames => [.. Views.Select(v => v.View)];
    public bool IsLlm4Sbr => Kind == ModelKind.Trained && !Views.IsEmpty;

    /// <summary>LLM2X: the backbone's item table starts from the items' text embeddings reduced by PCA
    /// (<see cref="TextInitialisation.ItemTextInitialisation"/>).</summary>
    public bool InitialisesItemsFromText { get; init; }

    /// <summary>Whether the model reads the items' text embeddings (the <c>titles</c> stage's vectors).</summary>
    public bool ReadsItemTexts => Kind == ModelKind.TextSimilarity || InitialisesItemsFromText;
}

/// <summary>Architecture settings shared by every backbone (the paper's hidden size 100 and lambda 0.1)
/// and the backbone's own resolved parameters. <see cref="AlignUniformWeight"/> is lambda in
/// loss = CE + lambda x sum over views of (alignment + uniformity).</summary>
public sealed record ModelOptions(int HiddenSize = 100, double AlignUniformWeight = 0.1)
{
    public ModelParameters Parameters { get; init; } = ModelParameters.None;

    public static readonly ModelOptions Default = new();

    public override string ToString() => $"hidden={HiddenSize},lambda={AlignUniformWeight.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}{(Parameters.Values.IsEmpty ? "" : "," + Parameters)}";
}
