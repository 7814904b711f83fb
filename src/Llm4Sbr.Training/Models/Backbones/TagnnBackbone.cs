using Llm4Sbr.Training.Batching;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models.Backbones;

/// <summary>TAGNN's encoding: SR-GNN's two vectors plus every click's state, which the target attention reads.</summary>
public sealed record TargetAttentiveEncoding(Tensor Long, Tensor Short, Tensor Clicks, Tensor PositionSessions) : SessionEncoding(Long, Short);

/// <summary>TAGNN (Yu et al., SIGIR 2020) as its reference code (CRIPAC-DIG/TAGNN), on the seam: SR-GNN's
/// gated graph layer and the hybrid vector s_h = W [s_g; h_last], plus target attention: for every
/// candidate item v_j a session vector s_t^j = sum_i beta_ij h_i attended by that item,
/// beta_.j = softmax_i(v_j . W_t h_i), and score_j = v_j . (s_h + s_t^j).
/// <list type="bullet">
/// <item>long = s_g (soft attention with a softmax over the clicks, as TAGNN, unlike SR-GNN); short =
/// h_last; combine = s_h (<c>linear_transform</c>); the views gate s_g and h_last before s_h, the target
/// attention reads the click states, which the views do not touch.</item>
/// <item>Memory: the reference materialises s_t as [B, N, H] (Beauty: 100 x 12,101 x 100 floats a
/// batch). Here v_j . s_t^j = sum_i beta_ij (v_j . h_i), so only [clicks, chunk] logits exist, computed
/// <see cref="ItemChunk"/> items at a time (<see cref="TargetAttention"/>); the scores are the same.</item>
/// <item>Differences from the reference: both softmaxes run over the session's real clicks only (the
/// reference also counts the padded positions of its [B, L] batch in the denominator, so a score there
/// depends on the longest session in the batch); the reference's unused <c>linear_edge_f</c> is left out.</item>
/// </list></summary>
public sealed class TagnnBackbone : SessionBackbone
{
    private readonly GatedGraphEncoder encoder;
    private readonly SoftAttention attention;
    private readonly Linear linear_transform;
    private readonly Linear linear_t;
    private readonly int hidden;

    public TagnnBackbone(int items, int hidden, int gnnSteps, int itemChunk) : base(nameof(TagnnBackbone))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(itemChunk, 1);
        encoder = new GatedGraphEncoder(items, hidden, gnnSteps);
        attention = new SoftAttention(hidden, softmax: true);
        linear_transform = nn.Linear(2 * hidden, hidden, hasBias: true);
        linear_t = nn.Linear(hidden, hidden, hasBias: false);
        this.hidden = hidden;
        ItemChunk = itemChunk;
        RegisterComponents();
    }

    /// <summary>Items scored per target-attention chunk.</summary>
    public int ItemChunk { get; }

    public override int Hidden => hidden;
    public override Parameter ItemEmbeddings => encoder.ItemTable;
    public override BatchInput Input => BatchInput.Graphs;

    public override SessionEncoding Encode(BatchTensors batch)
    {
        var graph = batch.Graphs;
        var states = encoder.forward(graph);
        var global = attention.forward(states.Clicks, states.Last, graph.PositionSessions);
        return new TargetAttentiveEncoding(global, states.Last, states.Clicks, graph.PositionSessions);
    }

    public override Tensor Combine(Tensor longVector, Tensor shortVector) => linear_transform.forward(cat([longVector, shortVector], 1));

    public override Tensor Score(SessionEncoding encoding, Tensor session)
    {
        var e = (TargetAttentiveEncoding)encoding;
        var table = encoder.ItemTable;
        var targetTerm = TargetAttention.Scores(e.Clicks, linear_t.forward(e.Clicks), e.PositionSessions, session.shape[0], table, ItemChunk);
        return encoder.Score(session).Plus(targetTerm);
    }

    public override void ResetParameters(Generator generator) =>
        Initialisation.UniformReference(this, hidden, generator, $"{nameof(encoder)}.{GatedGraphEncoder.ItemTableKey}");
}
