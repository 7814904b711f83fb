using Llm4Sbr.Training.Batching;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models.Backbones;

/// <summary>SR-GNN (Wu et al., AAAI 2019) as its reference code (CRIPAC-DIG/SR-GNN), on the seam:
/// <list type="bullet">
/// <item>long = s_g, the soft-attention global vector over the session's clicks (the paper's long-term
/// preference); short = s_l, the last click's GNN state (its "local" interest). This is exactly where the
/// LLM4SBR reference plugs its long and short views in.</item>
/// <item>combine = s_h = W [s_g; s_l] (<c>linear_transform</c>); scores = s_h E^T over the real items.</item>
/// <item>initialisation: every parameter U(+-1/sqrt(H)), as the reference's <c>reset_parameters</c>.</item>
/// </list>
/// Differences from the reference: ragged batches instead of padded ones (same scores, see
/// <see cref="GraphBatch"/>), and an item table without the unused padding row.</summary>
public sealed class SrGnnBackbone : SessionBackbone
{
    private readonly GatedGraphEncoder encoder;
    private readonly SoftAttention attention;
    private readonly Linear linear_transform;
    private readonly int hidden;

    public SrGnnBackbone(int items, int hidden, int gnnSteps) : base(nameof(SrGnnBackbone))
    {
        encoder = new GatedGraphEncoder(items, hidden, gnnSteps);
        attention = new SoftAttention(hidden);
        linear_transform = nn.Linear(2 * hidden, hidden, hasBias: true);
        this.hidden = hidden;
        RegisterComponents();
    }

    public override int Hidden => hidden;
    public override Parameter ItemEmbeddings => encoder.ItemTable;
    public override BatchInput Input => BatchInput.Graphs;

    public override SessionEncoding Encode(BatchTensors batch)
    {
        var graph = batch.Graphs;
        var states = encoder.forward(graph);
        return new SessionEncoding(attention.forward(states.Clicks, states.Last, graph.PositionSessions), states.Last);
    }

    public override Tensor Combine(Tensor longVector, Tensor shortVector) => linear_transform.forward(cat([longVector, shortVector], 1));

    public override Tensor Score(SessionEncoding encoding, Tensor session) => encoder.Score(session);

    public override void ResetParameters(Generator generator) =>
        Initialisation.UniformReference(this, hidden, generator, $"{nameof(encoder)}.{GatedGraphEncoder.ItemTableKey}");
}
