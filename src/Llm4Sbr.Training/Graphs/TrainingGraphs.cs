using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Errors;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Training.Graphs;

/// <summary>The training-wide graphs a backbone can need beside its batches (a backbone's registry entry
/// declares them; the <c>graphs</c> stage builds exactly the parts some listed model needs).</summary>
[Flags]
public enum GraphNeeds
{
    None = 0,
    /// <summary>GCE-GNN's global item graph (<see cref="GlobalItemGraph"/>).</summary>
    GlobalItemGraph = 1,
    /// <summary>DHCN's hypergraph (<see cref="ItemHypergraph"/>).</summary>
    ItemHypergraph = 2,
}

/// <summary>What the <c>graphs</c> stage builds: the global graph with its options, the hypergraph, or both.</summary>
public sealed record GraphsOptions(GlobalGraphOptions? Global, bool Hypergraph)
{
    public GraphNeeds Needs => (Global is null ? GraphNeeds.None : GraphNeeds.GlobalItemGraph) | (Hypergraph ? GraphNeeds.ItemHypergraph : GraphNeeds.None);
}

/// <summary>The <c>graphs</c> stage's output: the training-wide graphs, in item ids (the form stored),
/// each present when a listed model needs it. Built from training data only: the training sessions
/// (global graph) and the training samples' prefixes (hypergraph); no validation carve, as the
/// official codes build them from all of train.</summary>
public sealed record TrainingGraphs(GlobalItemGraph? Global, ItemHypergraph? Hypergraph)
{
    public const string Version = "1";

    public static readonly TrainingGraphs None = new(null, null);

    public GraphNeeds Has => (Global is null ? GraphNeeds.None : GraphNeeds.GlobalItemGraph) | (Hypergraph is null ? GraphNeeds.None : GraphNeeds.ItemHypergraph);

    /// <summary>Pure: the parts <paramref name="options"/> asks for, from the training sessions and the
    /// training samples (only their prefixes are read).</summary>
    public static TrainingGraphs Build(IReadOnlyList<Session> trainSessions, IReadOnlyList<Sample> trainSamples, GraphsOptions options) => new(
        options.Global is { } global ? GlobalItemGraph.Build(trainSessions.Select(s => s.Items), global) : null,
        options.Hypergraph ? ItemHypergraph.Build([.. trainSamples.Select(s => new Hyperedge(s.Id, s.Prefix))]) : null);

    /// <summary>The graphs in the dense item indices of <paramref name="vocabulary"/>, as models read them;
    /// fails naming an item the vocabulary lacks (the graphs come from another run).</summary>
    public Fin<ItemGraphs> ForVocabulary(ItemVocabulary vocabulary) =>
        // Fin holds no null: an absent part stays absent, a present one is converted (or fails).
        from global in Global is null
            ? FinSucc(ItemGraphs.None)
            : GlobalNeighbourTable.Of(Global, vocabulary).Map(table => ItemGraphs.None with { Global = table })
        from graphs in Hypergraph is null
            ? FinSucc(global)
            : HypergraphMatrices.Of(Hypergraph, vocabulary).Map(matrices => global with { Hypergraph = matrices })
        select graphs;

    internal static Fin<int[]> Indices(IEnumerable<int> itemIds, ItemVocabulary vocabulary, string graph)
    {
        var ids = itemIds.ToArray();
        var indices = new int[ids.Length];
        for (int i = 0; i < ids.Length; i++)
            if (!vocabulary.TryIndexOf(ids[i], out indices[i]))
                return Error.New($"the {graph} names item {ids[i]}, which is not in the model's item vocabulary: the graphs come from another run");
        return indices;
    }
}

/// <summary>The training-wide graphs in dense item indices, as a backbone's constructor gets them
/// (<see cref="Models.BackboneArguments.Graphs"/>).</summary>
public sealed record ItemGraphs(GlobalNeighbourTable? Global, HypergraphMatrices? Hypergraph)
{
    /// <summary>No graph (what a backbone without <see cref="Models.BackboneEntry.Needs"/> is given).</summary>
    public static readonly ItemGraphs None = new(null, null);

    public GraphNeeds Has => (Global is null ? GraphNeeds.None : GraphNeeds.GlobalItemGraph) | (Hypergraph is null ? GraphNeeds.None : GraphNeeds.ItemHypergraph);
}

/// <summary>GCE-GNN's sampled neighbour table in dense indices, the official <c>adj_all</c> and <c>num</c>:
/// row d (0..Items, row-major, <see cref="SampleNum"/> wide) holds the sampled neighbours of the item of
/// dense index d and their co-occurrence counts; row 0 (padding) and the rows of items without neighbours
/// are zeros (neighbour 0 = none).</summary>
public sealed record GlobalNeighbourTable(int Items, int SampleNum, long[] Neighbours, float[] Weights)
{
    public static Fin<GlobalNeighbourTable> Of(GlobalItemGraph graph, ItemVocabulary vocabulary) =>
        graph.Items.Select(item => TrainingGraphs.Indices([item.ItemId, .. item.Neighbours], vocabulary, "global item graph"))
            .AllOrFirstError()
            .Map(rows =>
            {
                int n = vocabulary.Count, s = graph.SampleNum;
                var neighbours = new long[(n + 1) * s];
                var weights = new float[(n + 1) * s];
                for (int i = 0; i < rows.Length; i++)
                {
                    var (item, dense) = (graph.Items[i], rows[i]);
                    for (int k = 0; k < s; k++)
                    {
                        neighbours[dense[0] * s + k] = dense[1 + item.Sample[k]];
                        weights[dense[0] * s + k] = item.Weights[item.Sample[k]];
                    }
                }
                return new GlobalNeighbourTable(n, s, neighbours, weights);
            });
}

/// <summary>DHCN's matrices in dense indices (column j = the item of dense index j + 1, as the score
/// columns): <see cref="Incidence"/> H^T [hyperedges, items] and <see cref="Adjacency"/>
/// D^-1 H B^-1 H^T [items, items]; items without a hyperedge have empty rows.
/// <c>Adjacency.ToSparseCoo(device)</c> is the tensor of the hypergraph convolution.</summary>
public sealed record HypergraphMatrices(CsrMatrix Incidence, CsrMatrix Adjacency)
{
    public static Fin<HypergraphMatrices> Of(ItemHypergraph graph, ItemVocabulary vocabulary) =>
        TrainingGraphs.Indices(graph.Items, vocabulary, "item hypergraph").Map(dense =>
        {
            // Positions in graph.Items ascend with the item id, and so do dense indices: column order holds.
            var columns = dense.Select(d => d - 1).ToArray();
            var n = vocabulary.Count;
            var incidence = graph.Incidence with { Columns = n, ColumnIndices = [.. graph.Incidence.ColumnIndices.Select(c => columns[c])] };
            var pointers = new int[n + 1];
            for (int r = 0; r < graph.Adjacency.Rows; r++) pointers[columns[r] + 1] = graph.Adjacency.RowPointers[r + 1] - graph.Adjacency.RowPointers[r];
            for (int r = 0; r < n; r++) pointers[r + 1] += pointers[r];
            var adjacency = new CsrMatrix(n, n, pointers, [.. graph.Adjacency.ColumnIndices.Select(c => columns[c])], graph.Adjacency.Values);
            return new HypergraphMatrices(incidence, adjacency);
        });
}
