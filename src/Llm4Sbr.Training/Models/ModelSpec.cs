using System.Collections.Immutable;

namespace Llm4Sbr.Training.Models;

/// <summary>Which session vector a view is aligned with and fused into: the global (attention) vector,
/// the local (last click) vector, or the hybrid vector W [s_g; s_l] (the <c>normal</c> ablation).</summary>
public enum SessionSlot { Global, Local, Hybrid }

/// <summary>A view bound to a session vector.</summary>
public sealed record ViewBinding(string View, SessionSlot Slot);

public enum ModelKind
{
    /// <summary>Trained with <see cref="Training.Trainer"/>.</summary>
    Trained,
    /// <summary>No training: scores from the view embeddings against item-title embeddings (<see cref="Evaluation.LlmInfer"/>).</summary>
    LlmInfer,
}

/// <summary>A named model: its backbone, its views and whether the alignment and uniformity losses are on.</summary>
public sealed record ModelSpec(string Name, ModelKind Kind, string Backbone, ImmutableArray<ViewBinding> Views, bool AlignAndUniform, string Description)
{
    public ImmutableArray<string> ViewNames => [.. Views.Select(v => v.View)];
}

/// <summary>Architecture hyperparameters (the reference defaults). <see cref="AlignUniformWeight"/> is
/// lambda in loss = CE + lambda x sum over views of (alignment + uniformity).</summary>
public sealed record ModelOptions(int HiddenSize = 100, int GnnSteps = 1, double AlignUniformWeight = 0.1)
{
    public static readonly ModelOptions Default = new();
}
