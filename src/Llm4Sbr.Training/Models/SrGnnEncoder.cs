using Llm4Sbr.Training.Batching;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models;

/// <summary>The SR-GNN session encoder: item embedding, gated GNN (<c>steps</c> propagations with shared
/// weights, as the reference), soft attention to the global vector s_g, and the last click's state as
/// the local vector s_l. Also owns the item embedding table the scores are taken against.</summary>
public sealed class SrGnnEncoder : nn.Module<BatchTensors, (Tensor Global, Tensor Local)>
{
    private readonly Embedding embedding;
    private readonly GatedGraphLayer gnn;
    private readonly SoftAttention attention;
    private readonly int steps;

    public SrGnnEncoder(int itemSlots, int hidden, int steps) : base(nameof(SrGnnEncoder))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        embedding = nn.Embedding(itemSlots, hidden);
        gnn = new GatedGraphLayer(hidden);
        attention = new SoftAttention(hidden);
        this.steps = steps;
        RegisterComponents();
    }

    public override (Tensor Global, Tensor Local) forward(BatchTensors batch)
    {
        var hidden = embedding.forward(batch.NodeItems);
        for (int s = 0; s < steps; s++) hidden = gnn.forward(hidden, batch);
        var clicks = hidden.index_select(0, batch.PositionNodes);
        var last = hidden.index_select(0, batch.LastNodes);
        return (attention.forward(clicks, last, batch.PositionSessions), last);
    }

    /// <summary>Scores of <paramref name="session"/> [B, H] against every real item: s @ E[1:]^T.</summary>
    public Tensor Score(Tensor session)
    {
        var items = embedding.weight!;
        return session.matmul(items.narrow(0, 1, items.shape[0] - 1).t());
    }
}
