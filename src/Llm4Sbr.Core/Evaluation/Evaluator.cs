using System.Collections.Concurrent;
using System.Collections.Immutable;
using Llm4Sbr.Core.Data;

namespace Llm4Sbr.Core.Evaluation;

/// <summary>Full-catalogue evaluation of any <see cref="ISessionScorer"/>: every test sample is
/// scored, its target ranked against every item with <see cref="Ranking.RankOf"/> (ties never
/// favour the target), and P/MRR/NDCG accumulated over all samples.</summary>
public static class Evaluator
{
    public const string Version = "1";

    /// <summary>Samples per work item; fixed so that the split of work never depends on the
    /// thread count.</summary>
    private const int ChunkSize = 128;

    /// <summary>Ranks every sample in parallel (per-worker score and prefix buffers), then sums the
    /// metrics sequentially in sample order, so the result is bit-identical for any degree of
    /// parallelism and equal to a plain sequential loop. (Merging per-worker accumulators would
    /// make the floating-point sums depend on how samples were split between threads.)</summary>
    /// <param name="progress">Receives the number of samples ranked so far, about every
    /// <see cref="ChunkSize"/> samples.</param>
    public static EvaluationResult Evaluate(
        ISessionScorer scorer,
        IReadOnlyList<Sample> samples,
        ItemVocabulary vocabulary,
        EvaluationOptions? options = null,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(vocabulary);
        options ??= EvaluationOptions.Default;
        if (scorer.Size != vocabulary.Size)
            throw new ArgumentException(
                $"the scorer has {scorer.Size} score slots but the vocabulary has {vocabulary.Size}: it was fitted with another vocabulary",
                nameof(scorer));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DegreeOfParallelism, 1, nameof(options));
        var accumulator = new MetricsAccumulator(options.Cutoffs); // validates the cut-offs before any work

        var ranks = new int[samples.Count];
        long unknownPrefixItems = 0;
        int ranked = 0;
        int longestPrefix = 0;
        for (int i = 0; i < samples.Count; i++) longestPrefix = Math.Max(longestPrefix, samples[i].Prefix.Length);

        if (samples.Count > 0) // Partitioner rejects an empty range
        {
            Parallel.ForEach(
                Partitioner.Create(0, samples.Count, ChunkSize),
                new ParallelOptions { MaxDegreeOfParallelism = options.DegreeOfParallelism, CancellationToken = cancellationToken },
                () => new WorkerBuffers(new float[vocabulary.Size], new int[longestPrefix]),
                (range, _, buffers) =>
                {
                    for (int i = range.Item1; i < range.Item2; i++)
                        ranks[i] = RankOne(scorer, samples[i], vocabulary, buffers);
                    int done = Interlocked.Add(ref ranked, range.Item2 - range.Item1);
                    progress?.Report(done);
                    return buffers;
                },
                buffers => Interlocked.Add(ref unknownPrefixItems, buffers.UnknownPrefixItems));
        }

        int unknownTargets = 0;
        foreach (int rank in ranks)
        {
            if (rank == 0) unknownTargets++;
            accumulator.Add(rank == 0 ? int.MaxValue : rank);
        }
        return new EvaluationResult(accumulator.ToMetrics(), unknownTargets, unknownPrefixItems, ImmutableArray.Create(ranks));
    }

    /// <summary>Rank of one sample's target, or 0 when the target is not in the vocabulary.</summary>
    private static int RankOne(ISessionScorer scorer, Sample sample, ItemVocabulary vocabulary, WorkerBuffers buffers)
    {
        if (!vocabulary.TryIndexOf(sample.Target, out int target) || target == 0) return 0;
        int length = DenseIndices.Fill(sample.Prefix.AsSpan(), vocabulary, buffers.Prefix, out int unknown);
        buffers.UnknownPrefixItems += unknown;
        scorer.Score(buffers.Prefix.AsSpan(0, length), buffers.Scores);
        return Ranking.RankOf(buffers.Scores, target);
    }

    private sealed class WorkerBuffers(float[] scores, int[] prefix)
    {
        public float[] Scores { get; } = scores;
        public int[] Prefix { get; } = prefix;
        public long UnknownPrefixItems { get; set; }
    }
}

/// <summary>Maps item ids to dense vocabulary indices.</summary>
public static class DenseIndices
{
    /// <summary>Writes the dense indices of the known items of <paramref name="itemIds"/> into
    /// <paramref name="destination"/>, in order, skipping ids the vocabulary lacks; returns how many
    /// were written and, in <paramref name="unknown"/>, how many were skipped.</summary>
    public static int Fill(ReadOnlySpan<int> itemIds, ItemVocabulary vocabulary, Span<int> destination, out int unknown)
    {
        int written = 0;
        unknown = 0;
        foreach (int id in itemIds)
        {
            if (vocabulary.TryIndexOf(id, out int index) && index > 0) destination[written++] = index;
            else unknown++;
        }
        return written;
    }
}
