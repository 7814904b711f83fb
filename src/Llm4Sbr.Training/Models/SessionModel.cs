using System.Collections.Immutable;
using Llm4Sbr.Training.Batching;
using TorchSharp;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models;

/// <summary>What a model returns for a batch: next-item scores over the catalogue, <c>[B, n]</c> where
/// column j is the item of dense index j + 1 (padding excluded), and the auxiliary loss already
/// weighted by lambda (a zero scalar for models without one, and in eval mode).</summary>
public sealed record ModelOutput(Tensor Scores, Tensor AuxiliaryLoss);

/// <summary>A trainable session recommender: one batch in, scores (and auxiliary loss) out.</summary>
public abstract class SessionModel : nn.Module<BatchTensors, ModelOutput>
{
    protected SessionModel(string name) : base(name) { }

    /// <summary>The views whose embeddings every batch must carry (none for plain backbones).</summary>
    public abstract ImmutableArray<string> RequiredViews { get; }

    /// <summary>The reference initialisation: every parameter uniform in +-1/sqrt(hidden), drawn from a
    /// generator of its own seeded with <paramref name="seed"/> (not torch's global one, so models built
    /// concurrently stay repeatable). The item table (state-dict key <paramref name="itemTableKey"/>, no
    /// padding row) is drawn as the reference's table with its padding row 0, which is then dropped: a
    /// seed gives the same weights as when the table had that row.</summary>
    protected void ResetParameters(int hidden, ulong seed, string itemTableKey)
    {
        double bound = 1.0 / Math.Sqrt(hidden);
        using var generator = new Generator(seed);
        using var _ = no_grad();
        foreach (var (name, p) in named_parameters())
        {
            if (name != itemTableKey) { p.uniform_(-bound, bound, generator); continue; }
            using var padded = empty([p.shape[0] + 1, p.shape[1]], p.dtype, p.device).uniform_(-bound, bound, generator);
            using var rows = padded.narrow(0, 1, p.shape[0]);
            p.copy_(rows);
        }
    }
}
