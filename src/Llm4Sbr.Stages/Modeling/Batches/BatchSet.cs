using System.Collections.Immutable;
using LanguageExt;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Training.Batching;

namespace Llm4Sbr.Stages.Modeling.Batches;

/// <summary>The <c>batches</c> stage's output: the dense item vocabulary (every item of the kept
/// sessions, train and test) and every sample encoded with it (prefix as dense indices, target), the
/// input of every batch format. <see cref="Train"/> and <see cref="Test"/> keep the samples stage's
/// order (sample id order); validation is carved from <see cref="Train"/> by <c>train</c>, so changing
/// the carve keeps this cache entry.</summary>
public sealed record BatchSet(ItemVocabulary Vocabulary, PreparedSampleSet Train, PreparedSampleSet Test);

/// <summary>A sample's session graph.</summary>
public sealed record SampleGraph(long SampleId, SessionGraph Graph);

/// <summary>The <c>session-graphs</c> stage's output: the SR-GNN session graph of every sample of a
/// <see cref="BatchSet"/>, in its order. Only planned when a listed model reads session graphs.</summary>
public sealed record SessionGraphSet(ImmutableArray<SampleGraph> Train, ImmutableArray<SampleGraph> Test)
{
    /// <summary>Pure: the graph of every sample of <paramref name="batches"/>.</summary>
    public static SessionGraphSet Of(BatchSet batches) => new(Build(batches.Train), Build(batches.Test));

    static ImmutableArray<SampleGraph> Build(PreparedSampleSet set) =>
        [.. set.WithSessionGraphs().Samples.Select(s => new SampleGraph(s.Id, s.RequiredGraph))];

    /// <summary><paramref name="set"/> with these graphs attached, position by position; fails (as a
    /// value) when the two were not made from the same samples.</summary>
    public static Fin<PreparedSampleSet> Attach(PreparedSampleSet set, ImmutableArray<SampleGraph> graphs, string part)
    {
        if (graphs.Length != set.Count)
            return ModelingErrors.Inconsistent($"session-graphs holds {graphs.Length} {part} samples, batches {set.Count}: the two come from different runs");
        var samples = new PreparedSample[set.Count];
        for (int i = 0; i < set.Count; i++)
        {
            if (graphs[i].SampleId != set[i].Id)
                return ModelingErrors.Inconsistent($"session-graphs row {i} of {part} is sample {graphs[i].SampleId}, batches has {set[i].Id}: the two come from different runs");
            samples[i] = set[i] with { Graph = graphs[i].Graph };
        }
        return new PreparedSampleSet(ImmutableArray.Create(samples));
    }
}
