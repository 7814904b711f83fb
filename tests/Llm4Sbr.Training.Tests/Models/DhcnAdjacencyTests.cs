using Llm4Sbr.Training.Models.Backbones;
using Xunit;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Tests.Models;

/// <summary>DHCN's hypergraph adjacency against a hand-built session set and against a dense
/// transcription of the reference's <c>util.py</c> (<c>data_masks</c> and <c>Data.__init__</c>).</summary>
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
        var dh = h / h.sum(1, keepdim: true).clamp_min(1); // an item in no session: an empty row, as scipy's product
        return dh.mm(bh).to(ScalarType.Float32);
    }

    static DhcnAdjacency Build(int[][] sessions, int items) =>
        DhcnAdjacency.FromSessions(sessions, items).Match(a => a, e => throw new Exception(e.Message));

    [Fact]
    public void A_hand_built_hypergraph_has_the_incidence_and_normalisation_of_the_reference()
    {
        // Sessions {1, 2} (2 repeated), {2, 3}, {4}; item 5 in none.
        int[][] sessions = [[1, 2, 2], [2, 3], [4]];
        var incidence = DhcnAdjacency.Incidence.Of(sessions, 5).Match(i => i, e => throw new Exception(e.Message));
        Assert.Equal([0, 2, 4, 5], incidence.SessionStarts);
        Assert.Equal([0, 1, 1, 2, 3], incidence.SessionItems);      // distinct rows, ascending
        Assert.Equal([0, 1, 3, 4, 5, 5], incidence.ItemStarts);
        Assert.Equal([0, 0, 1, 1, 2], incidence.ItemSessions);      // item 2 (row 1) in sessions 0 and 1

        // A[i, j] = sum over sessions holding i and j of 1 / (deg(i) |s|): row 1 (deg 2) gets 1/4 from each session.
        var a = Build(sessions, 5);
        Assert.Equal([0L, 0, 1, 1, 1, 2, 2, 3], a.Rows);
        Assert.Equal([0L, 1, 0, 1, 2, 1, 2, 3], a.Columns);
        Assert.Equal([0.5f, 0.5f, 0.25f, 0.5f, 0.25f, 0.5f, 0.5f, 1f], a.Values);
        var rowSums = a.ToTensor().to_dense().sum(1);
        Assert.Equal([1f, 1, 1, 1, 0], rowSums.data<float>().ToArray());   // item 5: an empty row
    }

    [Fact]
    public void The_adjacency_equals_the_dense_transcription_and_its_rows_sum_to_one()
    {
        int[][] sessions = [[3, 5, 3, 7, 2], [4, 4, 2, 9], [9, 1], [1, 2, 1, 2, 3, 8, 4], [6, 6, 6], [3, 5], [8, 2, 9, 5]];
        var built = Build(sessions, 9).ToTensor();
        Assert.True(built.is_sparse);
        Assert.Equal(new long[] { 9, 9 }, built.shape);
        var dense = built.to_dense();
        double diff = (dense - ReferenceAdjacency(sessions, 9)).abs().max().item<float>();
        Assert.True(diff < 1e-7, $"max abs difference {diff}");
        Assert.True((dense.sum(1) - 1).abs().max().item<float>() < 1e-6);
    }

    [Fact]
    public void Bad_sessions_fail_naming_the_session()
    {
        int[][] empty = [[1, 2], []];
        Assert.Contains("session 1 is empty", DhcnAdjacency.FromSessions(empty, 3).Match(_ => "", e => e.Message));
        int[][] outside = [[1, 2], [3, 4]];
        Assert.Contains("session 1 has item index 4, outside 1..3", DhcnAdjacency.FromSessions(outside, 3).Match(_ => "", e => e.Message));
        int[][] zero = [[0]];
        Assert.Contains("session 0 has item index 0", DhcnAdjacency.FromSessions(zero, 3).Match(_ => "", e => e.Message));
    }
}
