using System.Collections.Immutable;

namespace Llm4Sbr.Training.Graphs;

/// <summary>One hyperedge of DHCN's hypergraph: a training sample (its id) and the distinct items of its
/// prefix.</summary>
public sealed record Hyperedge(long SampleId, ImmutableArray<int> Items);

/// <summary>DHCN's hypergraph (Xia et al., AAAI 2021) as the official <c>util.py</c> builds it from the
/// training inputs (train.txt: every prefix of every training session is one hyperedge):
/// <see cref="Incidence"/> H^T, hyperedges x items, 1 where the prefix holds the item; and
/// <see cref="Adjacency"/> = D^-1 H B^-1 H^T, items x items, with D the item degrees (hyperedges holding
/// the item) and B the hyperedge degrees (distinct items), no hyperedge weights (W = I, as the code's
/// <c>DHBH_T</c>). Each row of an item with a hyperedge sums to 1. Rows and columns are positions in
/// <see cref="Items"/> (the distinct training item ids, ascending), so the graph does not depend on which
/// items the test sessions add to the vocabulary.</summary>
public sealed record ItemHypergraph(ImmutableArray<int> Items, ImmutableArray<long> Edges, CsrMatrix Incidence, CsrMatrix Adjacency)
{
    /// <summary>Builds the hypergraph of <paramref name="edges"/> (in their order). Pure; the adjacency rows
    /// are computed in parallel (Beauty: 158k prefixes, ~12k items).</summary>
    public static ItemHypergraph Build(IReadOnlyList<Hyperedge> edges)
    {
        var items = edges.SelectMany(e => e.Items).Distinct().Order().ToArray();
        var position = new Dictionary<int, int>(items.Length);
        for (int i = 0; i < items.Length; i++) position[items[i]] = i;

        // H^T in CSR: each hyperedge's distinct item positions, ascending.
        var edgePointers = new int[edges.Count + 1];
        var edgeItems = new List<int>();
        for (int e = 0; e < edges.Count; e++)
        {
            edgeItems.AddRange(edges[e].Items.Select(i => position[i]).Distinct().Order());
            edgePointers[e + 1] = edgeItems.Count;
        }
        var edgeColumns = edgeItems.ToArray();
        var incidence = new CsrMatrix(edges.Count, items.Length, edgePointers, edgeColumns, Enumerable.Repeat(1f, edgeColumns.Length).ToArray());

        // H (items x hyperedges) as the transpose, for each item's hyperedges.
        var itemPointers = new int[items.Length + 1];
        foreach (var c in edgeColumns) itemPointers[c + 1]++;
        for (int i = 0; i < items.Length; i++) itemPointers[i + 1] += itemPointers[i];
        var itemEdges = new int[edgeColumns.Length];
        var fill = itemPointers[..^1].ToArray();
        for (int e = 0; e < edges.Count; e++)
            for (int k = edgePointers[e]; k < edgePointers[e + 1]; k++) itemEdges[fill[edgeColumns[k]]++] = e;

        var rows = new (int[] Columns, float[] Values)[items.Length];
        Parallel.For(0, items.Length, () => (Sums: new double[items.Length], Touched: new List<int>()), (i, _, scratch) =>
        {
            int degree = itemPointers[i + 1] - itemPointers[i];
            for (int k = itemPointers[i]; k < itemPointers[i + 1]; k++)
            {
                int e = itemEdges[k];
                double share = 1.0 / (edgePointers[e + 1] - edgePointers[e]);
                for (int m = edgePointers[e]; m < edgePointers[e + 1]; m++)
                {
                    int j = edgeColumns[m];
                    if (scratch.Sums[j] == 0) scratch.Touched.Add(j);
                    scratch.Sums[j] += share;
                }
            }
            scratch.Touched.Sort();
            var columns = scratch.Touched.ToArray();
            var values = new float[columns.Length];
            for (int c = 0; c < columns.Length; c++)
            {
                values[c] = (float)(scratch.Sums[columns[c]] / degree);
                scratch.Sums[columns[c]] = 0;
            }
            scratch.Touched.Clear();
            rows[i] = (columns, values);
            return scratch;
        }, _ => { });
        var pointers = new int[items.Length + 1];
        for (int i = 0; i < items.Length; i++) pointers[i + 1] = pointers[i] + rows[i].Columns.Length;
        var adjacency = new CsrMatrix(items.Length, items.Length, pointers,
            [.. rows.SelectMany(r => r.Columns)], [.. rows.SelectMany(r => r.Values)]);
        return new ItemHypergraph([.. items], [.. edges.Select(e => e.SampleId)], incidence, adjacency);
    }
}
