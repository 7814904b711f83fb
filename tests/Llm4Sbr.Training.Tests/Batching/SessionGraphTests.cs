using CsCheck;
using Llm4Sbr.Training.Batching;
using Xunit;

namespace Llm4Sbr.Training.Tests.Batching;

public class SessionGraphTests
{
    [Fact]
    public void Repeated_item_gives_one_node_and_both_directions()
    {
        // 5 -> 3 -> 5 -> 7: nodes sorted [3, 5, 7]; node 5 (position 1) has out-degree 2.
        var g = SessionGraph.Build([5, 3, 5, 7]);
        Assert.Equal([3, 5, 7], g.Nodes.ToArray());
        Assert.Equal([1, 0, 1, 2], g.Alias.ToArray());
        Assert.Equal(2, g.LastNode);
        AssertMatrix(new float[,] { { 0, 1, 0 }, { 1, 0, 0 }, { 0, 1, 0 } }, g.IncomingAdjacency());
        AssertMatrix(new float[,] { { 0, 1, 0 }, { 0.5f, 0, 0.5f }, { 0, 0, 0 } }, g.OutgoingAdjacency());
    }

    [Fact]
    public void Consecutive_repeat_is_a_self_loop()
    {
        // 4 -> 4 -> 2: self-loop on 4, then 4 -> 2.
        var g = SessionGraph.Build([4, 4, 2]);
        Assert.Equal([2, 4], g.Nodes.ToArray());
        Assert.Equal([1, 1, 0], g.Alias.ToArray());
        AssertMatrix(new float[,] { { 0, 1 }, { 0, 1 } }, g.IncomingAdjacency());
        AssertMatrix(new float[,] { { 0, 0 }, { 0.5f, 0.5f } }, g.OutgoingAdjacency());
    }

    [Fact]
    public void Repeated_transition_counts_once()
    {
        // 1 -> 2 -> 1 -> 2 -> 3: 1->2 appears twice but u_A[u][v] = 1, so node 1's out-degree is 1
        // and node 2's out-degree is 2 (-> 1, -> 3); node 2's in-degree is 1.
        var g = SessionGraph.Build([1, 2, 1, 2, 3]);
        Assert.Equal(3, g.Edges.Length);
        AssertMatrix(new float[,] { { 0, 1, 0 }, { 1, 0, 0 }, { 0, 1, 0 } }, g.IncomingAdjacency());
        AssertMatrix(new float[,] { { 0, 1, 0 }, { 0.5f, 0, 0.5f }, { 0, 0, 0 } }, g.OutgoingAdjacency());
    }

    [Fact]
    public void Single_item_has_one_node_and_no_edges()
    {
        var g = SessionGraph.Build([9]);
        Assert.Equal([9], g.Nodes.ToArray());
        Assert.Equal([0], g.Alias.ToArray());
        Assert.Empty(g.Edges);
        AssertMatrix(new float[,] { { 0 } }, g.IncomingAdjacency());
        AssertMatrix(new float[,] { { 0 } }, g.OutgoingAdjacency());
    }

    [Fact]
    public void Empty_prefix_is_rejected() =>
        Assert.Throws<ArgumentException>(() => SessionGraph.Build([]));

    [Fact]
    public void Matches_a_transcription_of_the_reference_get_slice_on_random_sessions() =>
        Gen.Int[1, 6].Array[1, 12].CheckFixed(items =>
        {
            var g = SessionGraph.Build(items);
            var (nodes, alias, aIn, aOut) = Reference(items);
            Assert.Equal(nodes, g.Nodes.ToArray());
            Assert.Equal(alias, g.Alias.ToArray());
            AssertMatrix(aIn, g.IncomingAdjacency());
            AssertMatrix(aOut, g.OutgoingAdjacency());
        }, iter: 300);

    /// <summary>SR-GNN utils.py get_slice for one unpadded row, written as literally as C# allows:
    /// u_A[u][v] = 1 per consecutive pair; A_in = u_A / column sums (0 -> 1); A_out = u_A^T / row sums;
    /// A = concat([A_in, A_out]).T, whose left block is returned as aIn and right block as aOut.</summary>
    private static (int[] Nodes, int[] Alias, float[,] AIn, float[,] AOut) Reference(int[] input)
    {
        var node = input.Distinct().Order().ToArray();
        int n = node.Length;
        var uA = new double[n, n];
        for (int i = 0; i < input.Length - 1; i++)
            uA[Array.IndexOf(node, input[i]), Array.IndexOf(node, input[i + 1])] = 1;
        var sumIn = new double[n];
        var sumOut = new double[n];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++) { sumIn[c] += uA[r, c]; sumOut[r] += uA[r, c]; }
        for (int i = 0; i < n; i++) { if (sumIn[i] == 0) sumIn[i] = 1; if (sumOut[i] == 0) sumOut[i] = 1; }
        var uAIn = new double[n, n];   // np.divide(u_A, u_sum_in): column c divided by sumIn[c]
        var uAOut = new double[n, n];  // np.divide(u_A.T, u_sum_out): column c of u_A.T divided by sumOut[c]
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++) { uAIn[r, c] = uA[r, c] / sumIn[c]; uAOut[r, c] = uA[c, r] / sumOut[c]; }
        // concatenate([u_A_in, u_A_out]) is 2n x n; its transpose is n x 2n: [:, :n] = u_A_in.T, [:, n:] = u_A_out.T.
        var aIn = new float[n, n];
        var aOut = new float[n, n];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++) { aIn[r, c] = (float)uAIn[c, r]; aOut[r, c] = (float)uAOut[c, r]; }
        return (node, [.. input.Select(x => Array.IndexOf(node, x))], aIn, aOut);
    }

    internal static void AssertMatrix(float[,] expected, float[,] actual)
    {
        Assert.Equal(expected.GetLength(0), actual.GetLength(0));
        Assert.Equal(expected.GetLength(1), actual.GetLength(1));
        for (int r = 0; r < expected.GetLength(0); r++)
            for (int c = 0; c < expected.GetLength(1); c++)
                Assert.True(Math.Abs(expected[r, c] - actual[r, c]) < 1e-6, $"[{r},{c}]: expected {expected[r, c]}, got {actual[r, c]}");
    }
}
