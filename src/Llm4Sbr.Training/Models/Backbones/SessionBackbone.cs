using Llm4Sbr.Training.Batching;
using TorchSharp;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models.Backbones;

/// <summary>What a backbone makes of a batch before the final session vector: <see cref="Long"/>, its
/// representation of the whole session, and <see cref="Short"/>, its representation of the last click
/// (both [B, H]). LLM4SBR's long view is aligned with and fused into <see cref="Long"/>, the short view
/// into <see cref="Short"/>. A backbone whose scoring needs more of the batch (TAGNN's per-click states)
/// returns a derived record.</summary>
public record SessionEncoding(Tensor Long, Tensor Short);

/// <summary>A session recommender seen through LLM4SBR's seam: it encodes a batch into the two session
/// vectors (<see cref="Encode"/>), combines them into the final session vector (<see cref="Combine"/>),
/// and scores that vector against the whole catalogue (<see cref="Score"/>: [B, n], column j the item
/// of dense index j + 1). The plain model is Score(Combine(Encode(batch))); <see cref="Llm4SbrModel"/>
/// gates the two vectors with the views in between, without knowing which backbone it wraps.
/// Layers are fields; the methods only compose them.</summary>
public abstract class SessionBackbone : nn.Module
{
    protected SessionBackbone(string name) : base(name) { }

    /// <summary>The hidden size H of the session vectors.</summary>
    public abstract int Hidden { get; }

    /// <summary>The item embedding table, [items, H]: row j is the item of dense index j + 1 (index 0,
    /// the padding index, has no row in any backbone). LLM2X (<see cref="ItemTextInitialisation"/>)
    /// overwrites its rows with the items' reduced text embeddings after <see cref="ResetParameters"/>;
    /// nothing else reads it through this property.</summary>
    public abstract TorchSharp.Modules.Parameter ItemEmbeddings { get; }

    /// <summary>The batch format the backbone reads (views are added by the model that wraps it).</summary>
    public abstract BatchInput Input { get; }

    public abstract SessionEncoding Encode(BatchTensors batch);

    /// <summary>The final session vector from (possibly view-gated) <paramref name="longVector"/> and
    /// <paramref name="shortVector"/>, [B, H].</summary>
    public abstract Tensor Combine(Tensor longVector, Tensor shortVector);

    /// <summary>Next-item scores of <paramref name="session"/> [B, H] over the catalogue.</summary>
    public abstract Tensor Score(SessionEncoding encoding, Tensor session);

    /// <summary>A loss of the backbone's own beside cross-entropy, already weighted (DHCN's
    /// self-supervised term); null for most.</summary>
    public virtual Tensor? AuxiliaryLoss(SessionEncoding encoding, BatchTensors batch) => null;

    /// <summary>Generators of the backbone's own that training draws from (DHCN's shuffles), beside torch's
    /// default one: an epoch checkpoint saves their states, so a resumed run draws what it would have.</summary>
    public virtual IReadOnlyList<Generator> TrainingGenerators => [];

    /// <summary>What the last <see cref="ResetParameters"/> drew that the user should know of before a
    /// long fit (GCE-GNN: a start known to train to a worse optimum); the trainer logs each as a warning.</summary>
    public virtual IReadOnlyList<string> InitialisationWarnings => [];

    /// <summary>The backbone's initialisation as its reference code does it, drawn from
    /// <paramref name="generator"/> (a private, seeded one: models built concurrently stay repeatable).</summary>
    public abstract void ResetParameters(Generator generator);
}
