using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Data;

namespace Llm4Sbr.Training.Batching;

/// <summary>A sample ready for batching: its session graph (built once, reused every epoch) and the
/// dense index (1..n) of its target item.</summary>
public sealed record PreparedSample(long Id, long SessionId, SessionGraph Graph, int Target);

/// <summary>Prepared samples in a fixed order; batches refer to them by position.</summary>
public sealed record PreparedSampleSet(ImmutableArray<PreparedSample> Samples)
{
    public static readonly PreparedSampleSet Empty = new(ImmutableArray<PreparedSample>.Empty);
    public int Count => Samples.Length;
    public PreparedSample this[int position] => Samples[position];
}

/// <summary>The <c>batches</c> stage's graph building: samples of item ids to session graphs of dense
/// item indices. Pure and deterministic.</summary>
public static class SamplePreparation
{
    public const string Version = "1";

    /// <summary>Encodes every sample with <paramref name="vocabulary"/> and builds its session graph.
    /// Fails (as a value) on the first sample with an empty prefix or an item outside the vocabulary,
    /// naming the sample id and the item.</summary>
    public static Fin<PreparedSampleSet> Prepare(IReadOnlyList<Sample> samples, ItemVocabulary vocabulary)
    {
        var prepared = new PreparedSample[samples.Count];
        var failures = new Error?[samples.Count];
        Parallel.For(0, samples.Count, i =>
        {
            var result = PrepareOne(samples[i], vocabulary);
            if (result.IsSucc) prepared[i] = (PreparedSample)result;
            else failures[i] = (Error)result;
        });
        var firstFailure = failures.FirstOrDefault(f => f is not null);
        return firstFailure is not null
            ? Fin<PreparedSampleSet>.Fail(firstFailure)
            : Fin<PreparedSampleSet>.Succ(new PreparedSampleSet(ImmutableArray.Create(prepared)));
    }

    public static Fin<PreparedSample> PrepareOne(Sample sample, ItemVocabulary vocabulary)
    {
        if (sample.Prefix.IsDefaultOrEmpty)
            return Error.New($"sample {sample.Id} (session {sample.SessionId}): the prefix is empty");
        var items = new int[sample.Prefix.Length];
        for (int i = 0; i < items.Length; i++)
            if (!vocabulary.TryIndexOf(sample.Prefix[i], out items[i]))
                return Error.New($"sample {sample.Id} (session {sample.SessionId}): prefix item {sample.Prefix[i]} (position {i}) is not in the item vocabulary");
        if (!vocabulary.TryIndexOf(sample.Target, out int target))
            return Error.New($"sample {sample.Id} (session {sample.SessionId}): target item {sample.Target} is not in the item vocabulary");
        return new PreparedSample(sample.Id, sample.SessionId, SessionGraph.Build(items), target);
    }
}
