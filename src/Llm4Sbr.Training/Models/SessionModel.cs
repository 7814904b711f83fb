using System.Collections.Immutable;
using Llm4Sbr.Training.Batching;
using TorchSharp;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models;

/// <summary>What a model returns for a batch: next-item scores over the catalogue, <c>[B, n]</c> where
/// column j is the item of dense index j + 1 (padding excluded), and the auxiliary loss already
/// weighted (a zero scalar for models without one, and in eval mode).</summary>
public sealed record ModelOutput(Tensor Scores, Tensor AuxiliaryLoss);

/// <summary>A trainable session recommender: one batch in, scores (and auxiliary loss) out.</summary>
public abstract class SessionModel : nn.Module<BatchTensors, ModelOutput>
{
    protected SessionModel(string name) : base(name) { }

    /// <summary>What every batch must carry: the backbone's format and the views the model reads.</summary>
    public abstract BatchInput Input { get; }

    /// <summary>The views whose embeddings every batch must carry (none for plain backbones).</summary>
    public ImmutableArray<string> RequiredViews => Input.Views;

    /// <summary>Generators of the model's own that training draws from, beside torch's default one
    /// (<see cref="Backbones.SessionBackbone.TrainingGenerators"/>).</summary>
    public abstract IReadOnlyList<Generator> TrainingGenerators { get; }

    /// <summary>The backbone's <see cref="Backbones.SessionBackbone.InitialisationWarnings"/>.</summary>
    public abstract IReadOnlyList<string> InitialisationWarnings { get; }
}
