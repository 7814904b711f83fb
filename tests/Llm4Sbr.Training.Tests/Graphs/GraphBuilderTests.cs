using Llm4Sbr.Training.Models;
using System.Collections.Immutable;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Graphs;
using Xunit;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Tests.Graphs;

/// <summary>The training-wide graphs against hand-computed small cases: GCE-GNN's global graph
/// (build_graph.py + handle_adj), GCE-GNN's typed session graph (utils.Data) and DHCN's hypergraph (util.Data).</summary>
public class GraphBuilderTests
{
    static GlobalItemGraph Global(int epsilon, int sampleNum, params int[][] sessions) =>
        GlobalItemGraph.Build(sessions.Select(s => ImmutableArray.Create(s)), new GlobalGraphOptions(epsilon, sampleNum, Seed: 11));

    static ItemNeighbours Of(GlobalItemGraph g, int item) => g.Items.Single(i => i.ItemId == item);

    [Fact]
    public void Global_edges_count_every_pair_within_epsilon_in_both_directions()
    {
        // Session 10 20 30 40, epsilon 2: gaps 1 (10-20, 20-30, 30-40) and 2 (10-30, 20-40).
        var g = Global(2, 12, [10, 20, 30, 40], [20, 10]);
        Assert.Equal([10, 20, 30, 40], g.Items.Select(i => i.ItemId));
        // 10: 20 (gap 1, and again in session 2), 30 (gap 2). Counts: 20 -> 2, 30 -> 1.
        Assert.Equal([20, 30], Of(g, 10).Neighbours.ToArray());
        Assert.Equal([2, 1], Of(g, 10).Weights.ToArray());
        // 20: first met 10 (from 10->20 reversed), then 30, then 40 (gap 2); 10 again in session 2.
        Assert.Equal([10, 30, 40], Of(g, 20).Neighbours.ToArray());
        Assert.Equal([2, 1, 1], Of(g, 20).Weights.ToArray());
        Assert.Equal([20, 30], Of(g, 40).Neighbours.Order().ToArray());
    }

    [Fact]
    public void A_repeated_item_is_its_own_neighbour_as_in_the_official_code()
    {
        var g = Global(1, 12, [5, 5, 6]);
        // Pairs (5,5) twice (both directions) and (5,6)/(6,5).
        Assert.Equal([5, 6], Of(g, 5).Neighbours.ToArray());
        Assert.Equal([2, 1], Of(g, 5).Weights.ToArray());
        Assert.Equal([5], Of(g, 6).Neighbours.ToArray());
    }

    [Fact]
    public void Top_k_keeps_the_heaviest_and_breaks_ties_by_first_appearance()
    {
        // Item 1's neighbours, epsilon 1: 2 (first met), 3, 4 each once, then 4 again: 4 has 2.
        var g = Global(1, 2, [1, 2], [1, 3], [1, 4], [4, 1]);
        Assert.Equal([4, 2], Of(g, 1).Neighbours.ToArray()); // 4 heaviest, then the tie 2 / 3 goes to 2 (met first)
        Assert.Equal([2, 1], Of(g, 1).Weights.ToArray());
    }

    [Fact]
    public void The_sample_is_the_kept_list_when_full_and_seeded_draws_with_replacement_otherwise()
    {
        var g = Global(1, 3, [1, 2], [1, 3], [1, 4], [5, 6]);
        Assert.Equal([0, 1, 2], Of(g, 1).Sample.ToArray());          // 3 neighbours for 3 slots: all of them
        var five = Of(g, 5).Sample;                                   // 1 neighbour for 3 slots: it, 3 times
        Assert.Equal([0, 0, 0], five.ToArray());
        var two = Of(Global(1, 5, [1, 2], [2, 3]), 2).Sample;         // 2 neighbours for 5 slots
        Assert.Equal(5, two.Length);
        Assert.All(two, s => Assert.InRange(s, 0, 1));
        Assert.Equal(two.ToArray(), Of(Global(1, 5, [1, 2], [2, 3]), 2).Sample.ToArray());
        var otherSeed = GlobalItemGraph.Build([[1, 2], [2, 3], [3, 4], [4, 1]], new GlobalGraphOptions(1, 16, Seed: 12));
        var sameSeed = GlobalItemGraph.Build([[1, 2], [2, 3], [3, 4], [4, 1]], new GlobalGraphOptions(1, 16, Seed: 11));
        Assert.NotEqual(Of(sameSeed, 2).Sample.ToArray(), Of(otherSeed, 2).Sample.ToArray());
    }

    [Fact]
    public void An_item_draws_the_same_sample_whatever_other_items_are_in_the_graph()
    {
        var alone = Of(Global(1, 6, [1, 2], [2, 3]), 2).Sample;
        var withMore = Of(Global(1, 6, [7, 8, 9], [1, 2], [2, 3], [40, 41]), 2).Sample;
        Assert.Equal(alone.ToArray(), withMore.ToArray());
    }

    [Fact]
    public void The_dense_neighbour_table_maps_ids_to_indices_and_leaves_items_without_neighbours_at_zero()
    {
        var g = Global(1, 2, [10, 30]);
        var vocabulary = new ItemVocabulary([0, 10, 20, 30]); // 20 only in test sessions: no neighbours
        var table = GlobalNeighbourTable.Of(g, vocabulary).Match(t => t, e => throw new Exception(e.Message));
        Assert.Equal(new long[] { 0, 0, 3, 3, 0, 0, 1, 1 }, table.Neighbours);
        Assert.Equal(new float[] { 0, 0, 1, 1, 0, 0, 1, 1 }, table.Weights);
        var missing = GlobalNeighbourTable.Of(g, new ItemVocabulary([0, 10]));
        Assert.Contains("item 30", missing.Match(_ => "", e => e.Message));
    }

    [Fact]
    public void Typed_session_graph_follows_the_official_loop_on_the_reversed_session()
    {
        // Session 1 2 1 3 reversed: 3 1 2 1; nodes [1 2 3] -> aliases 2 0 1 0.
        var (nodes, alias, edges) = TypedSessionGraph.Build([1, 2, 1, 3]);
        Assert.Equal([1, 2, 3], nodes);
        Assert.Equal([2, 0, 1, 0], alias);
        // (u,v) = (2,0): adj[2][0]=2, adj[0][2]=3; (0,1): adj[0][1]=2, adj[1][0]=3;
        // (1,0): adj[0][1] was 2 -> adj[1][0]=4, then adj[0][1]=3 (the official overwrite). Self-loops 1.
        var expected = new (int, int, int)[]
        {
            (0, 0, TypedSessionGraph.Self), (0, 1, TypedSessionGraph.Out), (0, 2, TypedSessionGraph.Out),
            (1, 0, TypedSessionGraph.InOut), (1, 1, TypedSessionGraph.Self),
            (2, 0, TypedSessionGraph.In), (2, 2, TypedSessionGraph.Self),
        };
        Assert.Equal(expected, edges);
        var single = TypedSessionGraph.Build([4]);
        Assert.Equal([(0, 0, TypedSessionGraph.Self)], single.Edges);
    }

    [Fact]
    public void Hypergraph_incidence_and_normalised_adjacency_equal_the_hand_computed_ones()
    {
        // Hyperedges {1,2}, {2,3,2}, {3}: B = 2, 2, 1; D(1) = 1, D(2) = 2, D(3) = 2.
        var h = ItemHypergraph.Build([new Hyperedge(7, [1, 2]), new Hyperedge(8, [2, 3, 2]), new Hyperedge(9, [3])]);
        Assert.Equal([1, 2, 3], h.Items.ToArray());
        Assert.Equal([7L, 8, 9], h.Edges.ToArray());
        Assert.Equal(new float[,] { { 1, 1, 0 }, { 0, 1, 1 }, { 0, 0, 1 } }, h.Incidence.ToDense());
        // A[i][j] = sum_e H_ie H_je / (D_i B_e).
        var expected = new float[,]
        {
            { 0.5f, 0.5f, 0 },
            { 0.25f, 0.25f + 0.25f, 0.25f },
            { 0, 0.25f, 0.25f + 0.5f },
        };
        var a = h.Adjacency.ToDense();
        for (int i = 0; i < 3; i++)
        {
            float sum = 0;
            for (int j = 0; j < 3; j++) { Assert.Equal(expected[i, j], a[i, j], 6); sum += a[i, j]; }
            Assert.Equal(1f, sum, 6);
        }
    }

    [Fact]
    public void Hypergraph_in_dense_indices_has_empty_rows_for_test_only_items_and_its_sparse_tensor_equals_the_dense_matrix()
    {
        var h = ItemHypergraph.Build([new Hyperedge(0, [10, 30]), new Hyperedge(1, [30, 40])]);
        var vocabulary = new ItemVocabulary([0, 10, 20, 30, 40]); // 20: test only
        var dense = HypergraphMatrices.Of(h, vocabulary).Match(m => m, e => throw new Exception(e.Message));
        var a = dense.Adjacency.ToDense();
        Assert.Equal(4, a.GetLength(0));
        for (int j = 0; j < 4; j++) { Assert.Equal(0f, a[1, j]); Assert.Equal(0f, a[j, 1]); }
        Assert.Equal(1f, a[2, 0] + a[2, 2] + a[2, 3], 6);
        Assert.Equal(new float[,] { { 1, 0, 1, 0 }, { 0, 0, 1, 1 } }, dense.Incidence.ToDense());

        using var scope = NewDisposeScope();
        var fromSparse = dense.Adjacency.ToSparseCoo().to_dense().data<float>().ToArray();
        Assert.Equal(a.Cast<float>().ToArray(), fromSparse);
        // The product DHCN's convolution takes: sparse x dense equals dense x dense.
        var x = HeldScalars.Arange(0, 8, 1, ScalarType.Float32).view(4, 2);
        var viaSparse = dense.Adjacency.ToSparseCoo().matmul(x);
        var viaDense = tensor(a.Cast<float>().ToArray(), [4, 4]).matmul(x);
        Assert.True(viaSparse.allclose(viaDense));
    }

    [Fact]
    public void The_graphs_read_only_training_data()
    {
        var train = new[] { new Session(0, 0, 0, [1, 2, 3]), new Session(1, 1, 0, [3, 4]) };
        var samples = new[] { new Sample(0, 0, SplitPart.Train, [1], 2), new Sample(1, 0, SplitPart.Train, [1, 2], 3), new Sample(2, 1, SplitPart.Train, [3], 4) };
        var options = new GraphsOptions(new GlobalGraphOptions(), Hypergraph: true);
        var a = TrainingGraphs.Build(train, samples, options);
        var b = TrainingGraphs.Build([.. train], [.. samples], options);
        Assert.Equal(a.Global!.Items.Select(i => (i.ItemId, string.Join(",", i.Neighbours), string.Join(",", i.Sample))),
                     b.Global!.Items.Select(i => (i.ItemId, string.Join(",", i.Neighbours), string.Join(",", i.Sample))));
        Assert.Equal(GraphNeeds.GlobalItemGraph | GraphNeeds.ItemHypergraph, a.Has);
        Assert.Equal(GraphNeeds.GlobalItemGraph, TrainingGraphs.Build(train, samples, new GraphsOptions(new GlobalGraphOptions(), false)).Has);
    }
}
