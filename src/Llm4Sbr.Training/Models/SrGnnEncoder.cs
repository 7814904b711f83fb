using Llm4Sbr.Training.Batching;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models;

/// <summary>The SR-GNN session encoder: item embedding, gated GNN (<c>steps</c> propagations with shared
/// weights, as the reference), soft attention to the global vector s_g, and the last click's state as
/// the local vector s_l. Also owns the item embedding table the scores are taken against.
/// <para>The table has one row per real item (row = dense index - 1), not the reference's extra padding
/// row 0: the ragged batches have no padding nodes, so that row was never read, yet scoring against
/// <c>E[1:]</c> cost a full-table zero-fill and copy in every backward pass (narrow's gradient). The
/// lookup's gradient is sparse (the batch's few hundred rows), added in place into the scoring
/// gradient, which is dense anyway: the table's gradient is one [items, H] tensor, not three.</para></summary>
public sealed class SrGnnEncoder : nn.Module<BatchTensors, (Tensor Global, Tensor Local)>
{
    private readonly Embedding embedding;
    private readonly GatedGraphLayer gnn;
    private readonly SoftAttention attention;
    private readonly int steps;

    public SrGnnEncoder(int itemSlots, int hidden, int steps) : base(nameof(SrGnnEncoder))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        embedding = nn.Embedding(itemSlots - 1, hidden, sparse: true);
        gnn = new GatedGraphLayer(hidden);
        attention = new SoftAttention(hidden);
        this.steps = steps;
        RegisterComponents();
    }

    public override (Tensor Global, Tensor Local) forward(BatchTensors batch)
    {
        var hidden = embedding.forward(batch.NodeRows);
        for (int s = 0; s < steps; s++) hidden = gnn.forward(hidden, batch);
        var clicks = hidden.index_select(0, batch.PositionNodes);
        var last = hidden.index_select(0, batch.LastNodes);
        return (attention.forward(clicks, last, batch.PositionSessions), last);
    }

    /// <summary>State-dict key of the item embedding table, [items, H] (row j: the item of dense index
    /// j + 1), relative to the encoder.</summary>
    public const string ItemTableKey = "embedding.weight";

    /// <summary>Scores of <paramref name="session"/> [B, H] against every real item: s @ E^T.</summary>
    public Tensor Score(Tensor session) => session.matmul(embedding.weight!.t());
}
