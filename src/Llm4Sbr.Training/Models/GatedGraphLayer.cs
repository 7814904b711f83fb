using Llm4Sbr.Training.Batching;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Llm4Sbr.Training.Models;

/// <summary>The reference SR-GNN <c>GNNCell</c>, one propagation step: node messages along incoming and
/// outgoing edges (each through its own linear layer, weighted by the degree-normalised adjacency, plus
/// <c>b_iah</c> / <c>b_oah</c>), then a GRU-style gated update. The adjacency products are done
/// sparsely over the batch's edge list (gather, scale, index_add), which equals the reference's
/// dense <c>A @ linear(hidden)</c> without materialising padded N x N matrices.</summary>
public sealed class GatedGraphLayer : nn.Module<Tensor, GraphTensors, Tensor>
{
    private readonly Parameter w_ih;
    private readonly Parameter w_hh;
    private readonly Parameter b_ih;
    private readonly Parameter b_hh;
    private readonly Parameter b_iah;
    private readonly Parameter b_oah;
    private readonly Linear linear_edge_in;
    private readonly Linear linear_edge_out;

    public GatedGraphLayer(int hidden) : base(nameof(GatedGraphLayer))
    {
        w_ih = nn.Parameter(empty(3 * hidden, 2 * hidden));
        w_hh = nn.Parameter(empty(3 * hidden, hidden));
        b_ih = nn.Parameter(empty(3 * hidden));
        b_hh = nn.Parameter(empty(3 * hidden));
        b_iah = nn.Parameter(empty(hidden));
        b_oah = nn.Parameter(empty(hidden));
        linear_edge_in = nn.Linear(hidden, hidden, hasBias: true);
        linear_edge_out = nn.Linear(hidden, hidden, hasBias: true);
        RegisterComponents();
    }

    /// <summary><paramref name="hidden"/>: [nodes, H], the batch's concatenated node states.</summary>
    public override Tensor forward(Tensor hidden, GraphTensors batch)
    {
        var incoming = Propagate(linear_edge_in.forward(hidden), batch.EdgeFrom, batch.EdgeTo, batch.EdgeInWeight).Plus(b_iah);
        var outgoing = Propagate(linear_edge_out.forward(hidden), batch.EdgeTo, batch.EdgeFrom, batch.EdgeOutWeight).Plus(b_oah);
        var gi = F.linear(cat([incoming, outgoing], 1), w_ih, b_ih).chunk(3, 1);
        var gh = F.linear(hidden, w_hh, b_hh).chunk(3, 1);
        var resetGate = sigmoid(gi[0].Plus(gh[0]));
        var inputGate = sigmoid(gi[1].Plus(gh[1]));
        var newGate = tanh(gi[2].Plus(resetGate * gh[2]));
        return newGate.Plus(inputGate * (hidden - newGate));
    }

    /// <summary>receiver[i] = sum over edges (sender -&gt; receiver = i) of weight x messages[sender].</summary>
    private static Tensor Propagate(Tensor messages, Tensor senders, Tensor receivers, Tensor weights) =>
        zeros_like(messages).IndexAdd(0, receivers, messages.index_select(0, senders) * weights.unsqueeze(1));
}
