namespace Llm4Sbr.Training.Batching;

/// <summary>One batch of session graphs in managed memory, laid out ragged rather than padded: the
/// nodes of all sessions are concatenated (<see cref="NodeRows"/>, each node's row of the item
/// embedding table: dense index - 1), edges and click positions refer to
/// those batch-wide node numbers, and <see cref="PositionSessions"/> says which session each click
/// belongs to. This is the reference's per-sample <c>A</c>, <c>items</c>, <c>alias_inputs</c> and
/// <c>mask</c> with zero padding: a batch costs what its real clicks cost, not 100 x its longest
/// session (Beauty batches of 100 average 8.5 clicks per sample but a longest prefix of 83).
/// Arrays are never written after <see cref="Assemble"/> returns.</summary>
public sealed record GraphBatch(
    int Size,
    long[] NodeRows,
    long[] EdgeFrom,
    long[] EdgeTo,
    float[] EdgeInWeight,
    float[] EdgeOutWeight,
    long[] PositionNodes,
    long[] PositionSessions,
    long[] LastNodes)
{
    /// <summary>Gathers the session graphs of the samples at <paramref name="positions"/> of
    /// <paramref name="set"/> into one batch. Pure.</summary>
    public static GraphBatch Assemble(PreparedSampleSet set, ReadOnlySpan<int> positions)
    {
        int nodes = 0, edges = 0, clicks = 0;
        foreach (int p in positions)
        {
            var g = set[p].RequiredGraph;
            nodes += g.NodeCount; edges += g.Edges.Length; clicks += g.Length;
        }
        var nodeRows = new long[nodes];
        var edgeFrom = new long[edges];
        var edgeTo = new long[edges];
        var inWeight = new float[edges];
        var outWeight = new float[edges];
        var positionNodes = new long[clicks];
        var positionSessions = new long[clicks];
        var lastNodes = new long[positions.Length];
        int nodeOffset = 0, e = 0, c = 0;
        for (int b = 0; b < positions.Length; b++)
        {
            var g = set[positions[b]].RequiredGraph;
            for (int i = 0; i < g.NodeCount; i++) nodeRows[nodeOffset + i] = g.Nodes[i] - 1;
            foreach (var edge in g.Edges)
            {
                edgeFrom[e] = nodeOffset + edge.From;
                edgeTo[e] = nodeOffset + edge.To;
                inWeight[e] = edge.InWeight;
                outWeight[e] = edge.OutWeight;
                e++;
            }
            foreach (int a in g.Alias)
            {
                positionNodes[c] = nodeOffset + a;
                positionSessions[c] = b;
                c++;
            }
            lastNodes[b] = nodeOffset + g.LastNode;
            nodeOffset += g.NodeCount;
        }
        return new GraphBatch(positions.Length, nodeRows, edgeFrom, edgeTo, inWeight, outWeight,
            positionNodes, positionSessions, lastNodes);
    }
}

public static class BatchSlices
{
    /// <summary>Consecutive slices of <paramref name="order"/> of at most <paramref name="batchSize"/>
    /// (the last one shorter), as the reference's <c>generate_batch</c>.</summary>
    public static IEnumerable<ArraySegment<int>> Of(int[] order, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        for (int start = 0; start < order.Length; start += batchSize)
            yield return new ArraySegment<int>(order, start, Math.Min(batchSize, order.Length - start));
    }
}
