using System.Collections.Immutable;
using LanguageExt;
using Llm4Sbr.Core.Errors;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Parquet;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Training.Graphs;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Modeling.Graphs;

/// <summary>Parquet layout of <see cref="TrainingGraphs"/>: which parts were built, the global graph as one
/// row of neighbour lists per item, and the hypergraph as its incidence rows (one per hyperedge) and its
/// normalised adjacency in CSR rows (one per item), all in item ids. An absent part has empty tables.</summary>
public sealed class TrainingGraphsCodec : StageCodec<TrainingGraphs>
{
    public static TrainingGraphsCodec Instance { get; } = new();

    sealed record Facts(bool HasGlobal, int Epsilon, int SampleNum, long Seed, bool HasHypergraph);
    sealed record AdjacencyRow(int ItemId, ImmutableArray<int> Neighbours, ImmutableArray<float> Values);

    static readonly ParquetTable<Facts> FactsTable = new("graph_facts.parquet",
        "One row: the parts built and the global graph's settings.",
        Col.Bool<Facts>("has_global", "True when GCE-GNN's global graph was built (global_graph.parquet).", f => f.HasGlobal),
        Col.Int32<Facts>("epsilon", "Co-occurrence window of the global graph (0 when absent).", f => f.Epsilon),
        Col.Int32<Facts>("sample_num", "Neighbours kept and sampled per item (0 when absent).", f => f.SampleNum),
        Col.Int64<Facts>("seed", "Seed of the neighbour sample.", f => f.Seed),
        Col.Bool<Facts>("has_hypergraph", "True when DHCN's hypergraph was built (hypergraph_*.parquet).", f => f.HasHypergraph));

    static readonly ParquetTable<ItemNeighbours> GlobalTable = new("global_graph.parquet",
        "GCE-GNN's global graph: one row per training item with a neighbour, ascending by item id.",
        Col.Int32<ItemNeighbours>("item_id", "The item.", r => r.ItemId),
        Col.Int32List<ItemNeighbours>("neighbours", "Its heaviest neighbours (item ids), at most sample_num, by count descending, ties in first-met order.", r => r.Neighbours),
        Col.Int32List<ItemNeighbours>("weights", "Co-occurrence count of each neighbour (both directions, gaps 1..epsilon).", r => r.Weights),
        Col.Int32List<ItemNeighbours>("sample", "The model's fixed neighbour sample: sample_num positions into neighbours (with repeats when fewer).", r => r.Sample));

    static readonly ParquetTable<Hyperedge> EdgesTable = new("hypergraph_edges.parquet",
        "DHCN's incidence H^T: one row per hyperedge (a training sample's prefix), in sample order.",
        Col.Int64<Hyperedge>("sample_id", "The training sample.", r => r.SampleId),
        Col.Int32List<Hyperedge>("items", "Distinct item ids of its prefix, ascending.", r => r.Items));

    static readonly ParquetTable<AdjacencyRow> AdjacencyTable = new("hypergraph_adjacency.parquet",
        "DHCN's D^-1 H B^-1 H^T in CSR rows: one row per item of a hyperedge, ascending by item id; each row sums to 1.",
        Col.Int32<AdjacencyRow>("item_id", "The row's item.", r => r.ItemId),
        Col.Int32List<AdjacencyRow>("neighbours", "Column item ids, ascending.", r => r.Neighbours),
        Col.FloatList<AdjacencyRow>("values", "The entries: sum over shared hyperedges e of 1 / (degree(item) |e|).", r => r.Values));

    public override string Id => "training-graphs/1";
    public override ImmutableArray<TableDoc> Tables => [FactsTable.Doc, GlobalTable.Doc, EdgesTable.Doc, AdjacencyTable.Doc];

    public override async Task<ImmutableArray<string>> WriteAsync(TrainingGraphs value, string directory, CancellationToken ct)
    {
        var g = value.Global;
        var h = value.Hypergraph;
        await FactsTable.WriteAsync(directory, [new Facts(g is not null, g?.Epsilon ?? 0, g?.SampleNum ?? 0, (long)(g?.Seed ?? 0), h is not null)], ct).ConfigureAwait(false);
        await GlobalTable.WriteAsync(directory, g is null ? [] : g.Items, ct).ConfigureAwait(false);
        var edges = h is null ? [] : Enumerable.Range(0, h.Edges.Length)
            .Select(e => new Hyperedge(h.Edges[e], [.. h.Incidence.Row(e).Select(c => h.Items[c.Column])])).ToList();
        await EdgesTable.WriteAsync(directory, edges, ct).ConfigureAwait(false);
        var rows = h is null ? [] : Enumerable.Range(0, h.Items.Length)
            .Select(i => new AdjacencyRow(h.Items[i], [.. h.Adjacency.Row(i).Select(c => h.Items[c.Column])], [.. h.Adjacency.Row(i).Select(c => c.Value)])).ToList();
        await AdjacencyTable.WriteAsync(directory, rows, ct).ConfigureAwait(false);
        return [FactsTable.File, GlobalTable.File, EdgesTable.File, AdjacencyTable.File];
    }

    public override async Task<Fin<TrainingGraphs>> ReadAsync(string directory, CancellationToken ct)
    {
        var facts = await FactsTable.ReadAsync(directory, ct).ConfigureAwait(false);
        var global = await GlobalTable.ReadAsync(directory, ct).ConfigureAwait(false);
        var edges = await EdgesTable.ReadAsync(directory, ct).ConfigureAwait(false);
        var adjacency = await AdjacencyTable.ReadAsync(directory, ct).ConfigureAwait(false);
        return from f in facts
               from g in global
               from e in edges
               from a in adjacency
               from graphs in ToGraphs(f, g, e, a)
               select graphs;
    }

    public override ImmutableSortedDictionary<string, long> RowCounts(TrainingGraphs value) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [
            KeyValuePair.Create("global_items", (long)(value.Global?.Items.Length ?? 0)),
            KeyValuePair.Create("hyperedges", (long)(value.Hypergraph?.Edges.Length ?? 0)),
            KeyValuePair.Create("hypergraph_entries", (long)(value.Hypergraph?.Adjacency.NonZeros ?? 0)),
        ]);

    static Fin<TrainingGraphs> ToGraphs(TableData facts, TableData global, TableData edges, TableData adjacency)
    {
        if (facts.RowCount != 1) return FinFail<TrainingGraphs>(EngineErrors.ParquetSchema(facts.Path, $"{facts.RowCount} rows, expected 1"));
        // Fin holds no null: an absent part stays absent, a present one is read (or fails).
        return from withGlobal in facts.Bool("has_global")[0]
                   ? ToGlobal(facts, global).Map(g => TrainingGraphs.None with { Global = g })
                   : FinSucc(TrainingGraphs.None)
               from graphs in facts.Bool("has_hypergraph")[0]
                   ? ToHypergraph(edges, adjacency).Map(h => withGlobal with { Hypergraph = h })
                   : FinSucc(withGlobal)
               select graphs;
    }

    static Fin<GlobalItemGraph> ToGlobal(TableData facts, TableData global)
    {
        var sampleNum = facts.Int32("sample_num")[0];
        var (ids, neighbours, weights, sample) = (global.Int32("item_id"), global.Int32List("neighbours"), global.Int32List("weights"), global.Int32List("sample"));
        var items = ImmutableArray.CreateBuilder<ItemNeighbours>(global.RowCount);
        for (int i = 0; i < global.RowCount; i++)
        {
            if (neighbours[i].IsDefaultOrEmpty || weights[i].Length != neighbours[i].Length || sample[i].Length != sampleNum
                || sample[i].Any(s => s < 0 || s >= neighbours[i].Length))
                return FinFail<GlobalItemGraph>(EngineErrors.ParquetSchema(global.Path, $"row {i} (item {ids[i]}): neighbours, weights and sample do not fit sample_num {sampleNum}"));
            items.Add(new ItemNeighbours(ids[i], neighbours[i], weights[i], sample[i]));
        }
        return new GlobalItemGraph(facts.Int32("epsilon")[0], sampleNum, (ulong)facts.Int64("seed")[0], items.ToImmutable());
    }

    static Fin<ItemHypergraph> ToHypergraph(TableData edges, TableData adjacency)
    {
        var items = adjacency.Int32("item_id").ToImmutableArray();
        var position = new Dictionary<int, int>(items.Length);
        for (int i = 0; i < items.Length; i++) position[items[i]] = i;
        Fin<int[]> Positions(ImmutableArray<int> ids, string path, int row)
        {
            var result = new int[ids.Length];
            for (int k = 0; k < ids.Length; k++)
                if (!position.TryGetValue(ids[k], out result[k]))
                    return FinFail<int[]>(EngineErrors.ParquetSchema(path, $"row {row}: item {ids[k]} has no adjacency row"));
            return result;
        }
        var (sampleIds, edgeItems) = (edges.Int64("sample_id"), edges.Int32List("items"));
        var (neighbours, values) = (adjacency.Int32List("neighbours"), adjacency.FloatList("values"));
        return from edgeRows in Enumerable.Range(0, edges.RowCount).Select(e => Positions(edgeItems[e], edges.Path, e)).AllOrFirstError()
               from adjacencyRows in Enumerable.Range(0, items.Length).Select(r => values[r].Length != neighbours[r].Length
                       ? FinFail<int[]>(EngineErrors.ParquetSchema(adjacency.Path, $"row {r} (item {items[r]}): {neighbours[r].Length} neighbours, {values[r].Length} values"))
                       : Positions(neighbours[r], adjacency.Path, r))
                   .AllOrFirstError()
               let edgeColumns = edgeRows.SelectMany(c => c).ToArray()
               select new ItemHypergraph(items, [.. sampleIds],
                   new CsrMatrix(edges.RowCount, items.Length, RowPointers(edgeRows), edgeColumns, Enumerable.Repeat(1f, edgeColumns.Length).ToArray()),
                   new CsrMatrix(items.Length, items.Length, RowPointers(adjacencyRows), [.. adjacencyRows.SelectMany(c => c)],
                       [.. Enumerable.Range(0, items.Length).SelectMany(r => values[r])]));
    }

    /// <summary>CSR row pointers of rows given as their column lists: row r spans [p[r], p[r + 1]).</summary>
    static int[] RowPointers(ImmutableArray<int[]> rows)
    {
        var pointers = new int[rows.Length + 1];
        for (int r = 0; r < rows.Length; r++) pointers[r + 1] = pointers[r] + rows[r].Length;
        return pointers;
    }
}
