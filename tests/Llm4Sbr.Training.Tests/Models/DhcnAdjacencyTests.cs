using Llm4Sbr.Training.Models;
using Llm4Sbr.Training.Tests.Support;
using Llm4Sbr.Training.Models.Backbones;
using Xunit;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Tests.Models;

/// <summary>DHCN's hypergraph adjacency (the graphs stage's <c>ItemHypergraph</c>) against a dense
/// transcription of the reference's <c>util.py</c> (<c>data_masks</c> and <c>Data.__init__</c>); the
/// hand-built cases are in <c>GraphBuilderTests</c>.</summary>
public class DhcnAdjacencyTests
{
    /// <summary>util.py in dense tensors: H_T (sessions x items, 1 per distinct item), BH_T = rows of H_T
    /// divided by the session's degree, DH = rows of H = H_T^T divided by the item's degree, A = DH BH_T.</summary>
    internal static Tensor ReferenceAdjacency(int[][] sessions, int items)
    {
        var incidence = zeros(sessions.Length, items, ScalarType.Float64);
        for (int s = 0; s < sessions.Length; s++)
            foreach (int item in sessions[s].Distinct()) incidence[s, item - 1] = 1;
        var bh = incidence / incidence.sum(1, keepdim: true);
        var h = incidence.t();
        var dh = h / h.sum(1, keepdim: true).AtLeast(1); // an item in no session: an empty row, as scipy's product
        return dh.mm(bh).to(ScalarType.Float32);
    }

    /// <summary>The product's hypergraph (the graphs stage's builder, in dense indices) equals the dense
    /// transcription of util.py, and every row of an item in a session sums to 1.</summary>
    [Fact]
    public void The_products_adjacency_equals_the_dense_transcription_and_its_rows_sum_to_one()
    {
        int[][] sessions = [[3, 5, 3, 7, 2], [4, 4, 2, 9], [9, 1], [1, 2, 1, 2, 3, 8, 4], [6, 6, 6], [3, 5], [8, 2, 9, 5]];
        var built = TinyGraphs.HypergraphAdjacency(sessions, 9);
        Assert.True(built.is_sparse);
        Assert.Equal(new long[] { 9, 9 }, built.shape);
        var dense = built.to_dense();
        double diff = (dense - ReferenceAdjacency(sessions, 9)).abs().max().item<float>();
        Assert.True(diff < 1e-7, $"max abs difference {diff}");
        Assert.True(dense.sum(1).Minus(1).abs().max().item<float>() < 1e-6);
    }
}
