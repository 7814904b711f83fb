using System.Collections.Immutable;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Training.Graphs;

namespace Llm4Sbr.Training.Tests.Support;

/// <summary>Training-wide graphs for <see cref="TinyBatches"/>' catalogue (item id = dense index): a
/// global graph where item 9 has no neighbour (so the "none" path is exercised) and a hypergraph.</summary>
public static class TinyGraphs
{
    public static readonly int[][] Sessions = [[3, 5, 3, 7], [4, 4, 2], [1, 2, 1, 2, 3, 8], [6, 6], [7, 1, 5], [8, 6, 4, 2]];

    public static ItemVocabulary Vocabulary(int items) => new([.. Enumerable.Range(0, items + 1)]);

    public static TrainingGraphs Graphs(GlobalGraphOptions? options = null) => new(
        GlobalItemGraph.Build(Sessions.Select(s => ImmutableArray.Create(s)), options ?? new GlobalGraphOptions(Epsilon: 3, SampleNum: 4, Seed: 7)),
        ItemHypergraph.Build([.. Sessions.Select((s, i) => new Hyperedge(i, [.. s]))]));

    /// <summary>DHCN's normalised item adjacency of <paramref name="sessions"/> (dense indices, item id =
    /// index) through the product's builder (<see cref="ItemHypergraph"/>), as a sparse [items, items] tensor.</summary>
    public static TorchSharp.torch.Tensor HypergraphAdjacency(int[][] sessions, int items) =>
        new TrainingGraphs(null, ItemHypergraph.Build([.. sessions.Select((s, i) => new Hyperedge(i, [.. s]))]))
            .ForVocabulary(Vocabulary(items)).Match(g => g, e => throw new InvalidOperationException(e.Message))
            .Hypergraph!.Adjacency.ToSparseCoo();

    /// <summary>The graphs in dense indices for a catalogue of <paramref name="items"/> items (at least 9).</summary>
    public static ItemGraphs For(int items, GlobalGraphOptions? options = null) =>
        Graphs(options).ForVocabulary(Vocabulary(items)).Match(g => g, e => throw new InvalidOperationException(e.Message));
}
