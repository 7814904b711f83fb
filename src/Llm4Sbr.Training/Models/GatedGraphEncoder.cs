using Llm4Sbr.Training.Batching;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models;

/// <summary>The hidden state of every click of a graph batch ([positions, H], in click order) and of each
/// session's last click ([B, H]).</summary>
public sealed record ClickStates(Tensor Clicks, Tensor Last);

/// <summary>The session-graph encoder SR-GNN and TAGNN share: item embedding and gated GNN
/// (<c>steps</c> propagations with shared weights, as the reference). Also owns the item table the
/// scores are taken against.
/// <para>The table has one row per real item (row = dense index - 1), not the reference's extra padding
/// row 0: the ragged batches have no padding nodes, so that row was never read, yet scoring against
/// <c>E[1:]</c> cost a full-table zero-fill and copy in every backward pass (narrow's gradient). The
/// lookup's gradient is sparse (the batch's few hundred rows), added in place into the scoring
/// gradient, which is dense anyway: the table's gradient is one [items, H] tensor, not three.</para></summary>
public sealed class GatedGraphEncoder : nn.Module<GraphTensors, ClickStates>
{
    private readonly Embedding embedding;
    private readonly GatedGraphLayer gnn;
    private readonly int steps;

    public GatedGraphEncoder(int items, int hidden, int steps) : base(nameof(GatedGraphEncoder))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        embedding = nn.Embedding(items, hidden, sparse: true);
        gnn = new GatedGraphLayer(hidden);
        this.steps = steps;
        RegisterComponents();
    }

    /// <summary>State-dict key of the item embedding table, [items, H] (row j: the item of dense index
    /// j + 1), relative to the encoder.</summary>
    public const string ItemTableKey = "embedding.weight";

    public override ClickStates forward(GraphTensors batch)
    {
        var hidden = embedding.forward(batch.NodeRows);
        for (int s = 0; s < steps; s++) hidden = gnn.forward(hidden, batch);
        return new ClickStates(hidden.index_select(0, batch.PositionNodes), hidden.index_select(0, batch.LastNodes));
    }

    /// <summary>The item table [items, H] (row j: the item of dense index j + 1; no padding row).</summary>
    public Parameter ItemTable => embedding.weight!;

    /// <summary>Scores of <paramref name="session"/> [B, H] against every real item: s @ E^T.</summary>
    public Tensor Score(Tensor session) => session.matmul(embedding.weight!.t());
}
