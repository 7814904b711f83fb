using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Data;

namespace Llm4Sbr.Training.Batching;

/// <summary>A sample ready for batching: its prefix as dense item indices (1..n, oldest first), the
/// dense index of its target, and, when a model reads session graphs, its SR-GNN session graph (built
/// once, reused every epoch).</summary>
public sealed record PreparedSample(long Id, long SessionId, ImmutableArray<int> Items, int Target, SessionGraph? Graph = null)
{
    /// <summary>The session graph; fails loudly when the set was prepared without graphs (a model
    /// that reads graphs must be given a set with them: <see cref="PreparedSampleSet.WithSessionGraphs"/>).</summary>
    public SessionGraph RequiredGraph =>
        Graph ?? throw new InvalidOperationException($"sample {Id} has no session graph: the set was prepared without graphs");
}

/// <summary>Prepared samples in a fixed order; batches refer to them by position.</summary>
public sealed record PreparedSampleSet(ImmutableArray<PreparedSample> Samples)
{
    public static readonly PreparedSampleSet Empty = new(ImmutableArray<PreparedSample>.Empty);
    public int Count => Samples.Length;
    public PreparedSample this[int position] => Samples[position];

    /// <summary>True when every sample carries its session graph (an empty set does).</summary>
    public bool HasSessionGraphs => Samples.All(s => s.Graph is not null);

    /// <summary>The same samples with their session graphs built (in parallel; pure). Samples that
    /// already have one keep it.</summary>
    public PreparedSampleSet WithSessionGraphs()
    {
        if (HasSessionGraphs) return this;
        var withGraphs = new PreparedSample[Count];
        Parallel.For(0, Count, i => withGraphs[i] = Samples[i].Graph is null
            ? Samples[i] with { Graph = SessionGraph.Build(Samples[i].Items.AsSpan()) }
            : Samples[i]);
        return new PreparedSampleSet(ImmutableArray.Create(withGraphs));
    }
}

/// <summary>The <c>batches</c> stage's encoding: samples of item ids to dense item indices (and, on
/// request, session graphs). Pure and deterministic.</summary>
public static class SamplePreparation
{
    public const string Version = "2"; // 2: item sequences; session graphs on request

    /// <summary>Encodes every sample with <paramref name="vocabulary"/> and builds its session graph.</summary>
    public static Fin<PreparedSampleSet> Prepare(IReadOnlyList<Sample> samples, ItemVocabulary vocabulary) =>
        Encode(samples, vocabulary).Map(set => set.WithSessionGraphs());

    /// <summary>Encodes every sample with <paramref name="vocabulary"/> (no graphs). Fails (as a value)
    /// on the first sample with an empty prefix or an item outside the vocabulary, naming the sample id
    /// and the item.</summary>
    public static Fin<PreparedSampleSet> Encode(IReadOnlyList<Sample> samples, ItemVocabulary vocabulary) =>
        samples.Select(s => EncodeOne(s, vocabulary))
            .Sequence()
            .Map(prepared => new PreparedSampleSet([.. prepared]));

    public static Fin<PreparedSample> EncodeOne(Sample sample, ItemVocabulary vocabulary)
    {
        if (sample.Prefix.IsDefaultOrEmpty)
            return Error.New($"sample {sample.Id} (session {sample.SessionId}): the prefix is empty");
        var items = new int[sample.Prefix.Length];
        for (int i = 0; i < items.Length; i++)
            if (!vocabulary.TryIndexOf(sample.Prefix[i], out items[i]))
                return Error.New($"sample {sample.Id} (session {sample.SessionId}): prefix item {sample.Prefix[i]} (position {i}) is not in the item vocabulary");
        if (!vocabulary.TryIndexOf(sample.Target, out int target))
            return Error.New($"sample {sample.Id} (session {sample.SessionId}): target item {sample.Target} is not in the item vocabulary");
        return new PreparedSample(sample.Id, sample.SessionId, ImmutableArray.Create(items), target);
    }
}
