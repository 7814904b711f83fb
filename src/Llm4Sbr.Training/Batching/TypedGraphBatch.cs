namespace Llm4Sbr.Training.Batching;

/// <summary>GCE-GNN's session graph of one prefix, as the official <c>utils.Data.__getitem__</c> builds it
/// on the reversed session: nodes are the distinct items ascending (<c>np.unique</c>), and each ordered
/// node pair has one edge type, 1 self, 2 and 3 the two directions of a transition, 4 both. The types
/// are assigned by the official loop over consecutive reversed clicks (u, v), literally, including its
/// order dependence: <c>adj[u][v] = 4 if adj[v][u] == 2 else 2</c>, then <c>adj[v][u] = 3</c> (its test
/// <c>adj[u][v] == 3</c> can never hold right after that assignment), and self-loops on both.
/// The official padding node (item 0) has no edge to a real node, so leaving it out changes nothing.</summary>
public static class TypedSessionGraph
{
    /// <summary>Edge types as the official adjacency codes 1..4 (self, in, out, in-out) minus 1.</summary>
    public const int Self = 0, In = 1, Out = 2, InOut = 3;

    /// <summary>Nodes (distinct dense items, ascending), the node of each click of the reversed prefix
    /// (position 0 = the last click), and the typed edges (from, to, type) sorted by (from, to).</summary>
    public static (int[] Nodes, int[] ReversedAlias, (int From, int To, int Type)[] Edges) Build(ReadOnlySpan<int> items)
    {
        var nodes = SessionGraph.DistinctNodes(items);
        var alias = new int[items.Length];
        for (int p = 0; p < items.Length; p++) alias[p] = Array.BinarySearch(nodes, items[items.Length - 1 - p]);

        var codes = new Dictionary<(int, int), int>();
        int Code(int u, int v) => codes.TryGetValue((u, v), out var c) ? c : 0;
        codes[(alias[0], alias[0])] = 1; // the official sets it in the loop; a single click gets it too (same output)
        for (int i = 0; i + 1 < alias.Length; i++)
        {
            int u = alias[i], v = alias[i + 1];
            codes[(u, u)] = 1;
            codes[(u, v)] = Code(v, u) == 2 ? 4 : 2;
            codes[(v, u)] = 3;
            codes[(v, v)] = 1;
        }
        var edges = codes.Select(kv => (kv.Key.Item1, kv.Key.Item2, kv.Value - 1)).Order().ToArray();
        return (nodes, alias, edges);
    }
}

/// <summary>One batch of GCE-GNN session graphs, ragged (see <see cref="GraphBatch"/>): the nodes of all
/// sessions concatenated (<see cref="NodeItems"/>: dense item index, <see cref="NodeSessions"/>), typed
/// edges between batch-wide node numbers, and every click of the reversed prefixes
/// (<see cref="ClickNodes"/>, <see cref="ClickSessions"/>, <see cref="ClickPositions"/>: 0 = the last
/// click, as the official reversed position embedding). <see cref="LastNodes"/>: each session's last click.</summary>
public sealed record TypedGraphBatch(
    int Size,
    long[] NodeItems,
    long[] NodeSessions,
    long[] EdgeFrom,
    long[] EdgeTo,
    long[] EdgeTypes,
    long[] ClickNodes,
    long[] ClickSessions,
    long[] ClickPositions,
    float[] ClickCounts,
    long[] LastNodes)
{
    /// <summary>Builds the graphs of the samples at <paramref name="positions"/> of <paramref name="set"/>. Pure.</summary>
    public static TypedGraphBatch Assemble(PreparedSampleSet set, ReadOnlySpan<int> positions)
    {
        var graphs = new (int[] Nodes, int[] ReversedAlias, (int From, int To, int Type)[] Edges)[positions.Length];
        int nodes = 0, edges = 0, clicks = 0;
        for (int b = 0; b < positions.Length; b++)
        {
            graphs[b] = TypedSessionGraph.Build(set[positions[b]].Items.AsSpan());
            nodes += graphs[b].Nodes.Length; edges += graphs[b].Edges.Length; clicks += graphs[b].ReversedAlias.Length;
        }
        var batch = new TypedGraphBatch(positions.Length, new long[nodes], new long[nodes], new long[edges], new long[edges], new long[edges],
            new long[clicks], new long[clicks], new long[clicks], new float[positions.Length], new long[positions.Length]);
        int offset = 0, e = 0, c = 0;
        for (int b = 0; b < graphs.Length; b++)
        {
            var (graphNodes, alias, graphEdges) = graphs[b];
            for (int i = 0; i < graphNodes.Length; i++) { batch.NodeItems[offset + i] = graphNodes[i]; batch.NodeSessions[offset + i] = b; }
            foreach (var (from, to, type) in graphEdges)
            {
                batch.EdgeFrom[e] = offset + from; batch.EdgeTo[e] = offset + to; batch.EdgeTypes[e] = type; e++;
            }
            for (int p = 0; p < alias.Length; p++)
            {
                batch.ClickNodes[c] = offset + alias[p]; batch.ClickSessions[c] = b; batch.ClickPositions[c] = p; c++;
            }
            batch.ClickCounts[b] = alias.Length;
            batch.LastNodes[b] = offset + alias[0];
            offset += graphNodes.Length;
        }
        return batch;
    }
}
