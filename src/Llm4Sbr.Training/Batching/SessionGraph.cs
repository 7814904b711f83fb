using System.Collections.Immutable;

namespace Llm4Sbr.Training.Batching;

/// <summary>One distinct transition <c>From -&gt; To</c> between two nodes of a session graph (node
/// positions, not item indices). <see cref="InWeight"/> = 1 / in-degree(To) is the weight with which
/// <c>To</c> receives from <c>From</c> on the incoming edges; <see cref="OutWeight"/> = 1 / out-degree(From)
/// is the weight with which <c>From</c> receives from <c>To</c> on the outgoing edges.</summary>
public readonly record struct GraphEdge(int From, int To, float InWeight, float OutWeight);

/// <summary>The SR-GNN session graph of one prefix, as the reference <c>utils.py</c> builds it:
/// <see cref="Nodes"/> are the distinct item indices in ascending order (<c>np.unique</c>),
/// <see cref="Alias"/> maps every click position to its node, and <see cref="Edges"/> are the distinct
/// consecutive transitions (a repeated transition counts once, like the reference's <c>u_A[u][v] = 1</c>;
/// an item clicked twice in a row gives a self-loop), sorted by (From, To).
/// The reference's padding node (item 0, present in <c>np.unique</c> of a padded row) is not a node here:
/// it has no edges and is masked out, so leaving it out changes no score.</summary>
public sealed record SessionGraph(ImmutableArray<int> Nodes, ImmutableArray<int> Alias, ImmutableArray<GraphEdge> Edges)
{
    public int NodeCount => Nodes.Length;
    public int Length => Alias.Length;
    /// <summary>Node of the last click: the local (short-term) interest of SR-GNN.</summary>
    public int LastNode => Alias[^1];

    /// <summary>Builds the graph of a prefix of dense item indices (all &gt;= 1). Pure.</summary>
    public static SessionGraph Build(ReadOnlySpan<int> items)
    {
        var nodeArray = DistinctNodes(items);
        int n = nodeArray.Length;

        var alias = new int[items.Length];
        for (int i = 0; i < items.Length; i++) alias[i] = Array.BinarySearch(nodeArray, items[i]);

        var pairs = new List<(int From, int To)>(items.Length);
        for (int i = 0; i + 1 < items.Length; i++) pairs.Add((alias[i], alias[i + 1]));
        pairs.Sort();
        var distinct = new List<(int From, int To)>(pairs.Count);
        foreach (var p in pairs)
            if (distinct.Count == 0 || distinct[^1] != p) distinct.Add(p);

        var inDegree = new int[n];
        var outDegree = new int[n];
        foreach (var (from, to) in distinct) { outDegree[from]++; inDegree[to]++; }
        var edges = distinct.Select(e => new GraphEdge(e.From, e.To, 1f / inDegree[e.To], 1f / outDegree[e.From]));
        return new SessionGraph([.. nodeArray], [.. alias], [.. edges]);
    }

    /// <summary>The distinct items of a prefix in ascending order, the references' <c>np.unique</c>
    /// (SR-GNN's and GCE-GNN's node order).</summary>
    public static int[] DistinctNodes(ReadOnlySpan<int> items)
    {
        if (items.IsEmpty) throw new ArgumentException("a session graph needs at least one item", nameof(items));
        var nodes = items.ToArray();
        Array.Sort(nodes);
        int n = 0;
        for (int i = 0; i < nodes.Length; i++)
            if (i == 0 || nodes[i] != nodes[n - 1]) nodes[n++] = nodes[i];
        Array.Resize(ref nodes, n);
        return nodes;
    }

    /// <summary>The reference's incoming block <c>A[:, :n]</c>: row i holds what node i receives from
    /// each sender j, <c>u_A[j][i] / in-degree(i)</c>.</summary>
    public float[,] IncomingAdjacency()
    {
        var a = new float[NodeCount, NodeCount];
        foreach (var e in Edges) a[e.To, e.From] = e.InWeight;
        return a;
    }

    /// <summary>The reference's outgoing block <c>A[:, n:2n]</c>: row i holds what node i receives from
    /// each successor j, <c>u_A[i][j] / out-degree(i)</c>.</summary>
    public float[,] OutgoingAdjacency()
    {
        var a = new float[NodeCount, NodeCount];
        foreach (var e in Edges) a[e.From, e.To] = e.OutWeight;
        return a;
    }
}
