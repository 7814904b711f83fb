using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Llm4Sbr.Training.Models.Backbones;

/// <summary>GCE-GNN's session-level aggregator (official <c>LocalAggregator</c>), ragged: for each typed
/// edge i -> j of the batch's session graphs, e_ij = LeakyReLU_alpha(a_type . (h_i * h_j)); a softmax over
/// each node i's edges (the official masks non-edges with -9e15, which gives them weight 0); output_i =
/// sum_j softmax_ij h_j. The official's <c>bias</c> parameter is never used in its forward and is left out.</summary>
public sealed class GceGnnLocalAggregator : nn.Module
{
    private readonly Parameter a_0, a_1, a_2, a_3;
    private readonly double alpha;

    public GceGnnLocalAggregator(int hidden, double alpha) : base(nameof(GceGnnLocalAggregator))
    {
        a_0 = new Parameter(empty(hidden, 1));
        a_1 = new Parameter(empty(hidden, 1));
        a_2 = new Parameter(empty(hidden, 1));
        a_3 = new Parameter(empty(hidden, 1));
        this.alpha = alpha;
        RegisterComponents();
    }

    /// <param name="h">[nodes, H].</param>
    /// <param name="from">[edges] the receiving node i (softmax groups).</param>
    /// <param name="to">[edges] the node j it reads.</param>
    /// <param name="types">[edges] 0..3: self, in, out, in-out.</param>
    public Tensor forward(Tensor h, Tensor from, Tensor to, Tensor types)
    {
        var a = cat([a_0, a_1, a_2, a_3], 1).t();                        // [4, H]
        var hj = h.index_select(0, to);
        var e = (h.index_select(0, from) * hj * a.index_select(0, types)).sum(1, keepdim: true).LeakyRelu(alpha);
        var weights = SegmentSoftmax.Apply(e, from, h.shape[0]);         // [edges, 1]
        return zeros_like(h).IndexAdd(0, from, weights * hj);
    }
}

/// <summary>GCE-GNN's global-level aggregator for one hop (official <c>GlobalAggregator</c>), on a
/// [rows, S, H] block of neighbours: pi = softmax_S(w_2^T LeakyReLU_0.2(W_1 [s * h_n ; w_n])) with s the
/// session vector and w_n the raw co-occurrence count; h_N = sum pi h_n; output = act(W_3
/// dropout_gcn([h_self ; h_N])), act ReLU (official <c>--activate relu</c>). The unused <c>bias</c> is left out.</summary>
public sealed class GceGnnGlobalAggregator : nn.Module
{
    private readonly Parameter w_1, w_2, w_3;
    private readonly double dropout;

    public GceGnnGlobalAggregator(int hidden, double dropout) : base(nameof(GceGnnGlobalAggregator))
    {
        w_1 = new Parameter(empty(hidden + 1, hidden));
        w_2 = new Parameter(empty(hidden, 1));
        w_3 = new Parameter(empty(2 * hidden, hidden));
        this.dropout = dropout;
        RegisterComponents();
    }

    /// <param name="self">[..., H] the entities.</param>
    /// <param name="neighbours">[..., S, H] their sampled neighbours.</param>
    /// <param name="weights">[..., S] the neighbours' co-occurrence counts.</param>
    /// <param name="session">[..., 1, H] (broadcast) the session vector of each entity's session.</param>
    public Tensor forward(Tensor self, Tensor neighbours, Tensor weights, Tensor session)
    {
        // [s * h_n ; w_n] W_1 without building the [.., S, H + 1] concatenation: the count's row of W_1 apart.
        long h = w_1.shape[1];
        // Few passes over the [.., S, H] block (a CPU step is bound by them): one fused multiply-add for
        // the count's term, and the weighted sum as one batched product.
        var shape = neighbours.shape;
        var scaled = (session * neighbours).view(-1, h).mm(w_1.narrow(0, 0, h)).view(shape);
        var alpha = scaled.AddProduct(weights.unsqueeze(-1), w_1.narrow(0, h, 1).view(h)).LeakyRelu(0.2);
        alpha = softmax(alpha.view(-1, h).mm(w_2).view(weights.shape), -1);                  // [.., S]
        long s = shape[^2];
        var aggregated = alpha.reshape(-1, 1, s).bmm(neighbours.reshape(-1, s, h)).view(self.shape);
        var output = F.dropout(cat([self, aggregated], -1), dropout, training);
        return F.relu(output.matmul(w_3));
    }
}
