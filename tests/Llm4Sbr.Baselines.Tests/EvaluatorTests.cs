using System.Collections.Immutable;
using CsCheck;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Evaluation;
using Xunit;
using Llm4Sbr.Core.Reporting;

namespace Llm4Sbr.Baselines.Tests;

public class EvaluatorTests
{
    /// <summary>A deterministic scorer whose scores depend on the whole prefix, with many ties.</summary>
    private sealed class HashScorer(int size) : ISessionScorer
    {
        public int Size => size;

        public void Score(ReadOnlySpan<int> prefix, Span<float> scores)
        {
            int h = 17;
            foreach (int item in prefix) h = h * 31 + item;
            for (int i = 0; i < size; i++) scores[i] = ((i * 7919 + h) & 0x7FFFFFFF) % 5;
        }
    }

    private static double[] Flatten(RankingMetrics m) => [.. m.AtK.SelectMany(a => new[] { a.K, a.Precision, a.Mrr, a.Ndcg })];

    private static RankingMetrics NaiveLoop(ISessionScorer scorer, IReadOnlyList<Sample> samples, ItemVocabulary vocabulary)
    {
        var accumulator = new MetricsAccumulator();
        foreach (var sample in samples)
        {
            if (!vocabulary.TryIndexOf(sample.Target, out int target)) { accumulator.Add(int.MaxValue); continue; }
            var prefix = sample.Prefix.Where(id => vocabulary.TryIndexOf(id, out _)).Select(vocabulary.IndexOf).ToArray();
            var scores = new float[vocabulary.Size];
            scorer.Score(prefix, scores);
            accumulator.Add(Ranking.RankOf(scores, target));
        }
        return accumulator.ToMetrics();
    }

    [Fact]
    public void Equals_a_naive_sequential_loop_for_any_degree_of_parallelism()
    {
        TestData.Catalogue.CheckFixed(c =>
        {
            var vocabulary = TestData.Vocabulary(c.Size);
            var samples = TestData.AllPrefixes(c.Sessions);
            var scorer = new HashScorer(c.Size);
            var expected = Flatten(NaiveLoop(scorer, samples, vocabulary));
            foreach (int threads in new[] { 1, 2, 3 })
            {
                var result = Evaluator.Evaluate(scorer, samples, vocabulary, new EvaluationOptions { DegreeOfParallelism = threads });
                Assert.Equal(expected, Flatten(result.Metrics));
                Assert.Equal(samples.Length, result.Metrics.Count);
                Assert.Equal(0, result.UnknownTargets);
            }
        }, iter: 60);
    }

    [Fact]
    public void Ranks_are_reported_in_sample_order()
    {
        // Scores equal the slot index, so the best item is the highest index.
        var scorer = new FixedScorer([0, 1, 2, 3, 4]);
        var vocabulary = TestData.Vocabulary(5);
        Sample S(int target) => new(target, 0, SplitPart.Test, [1], target);
        var options = new EvaluationOptions { DegreeOfParallelism = 2, Cutoffs = [1, 2] };
        var result = Evaluator.Evaluate(scorer, [S(4), S(1), S(3)], vocabulary, options);
        Assert.Equal([1, 4, 2], result.Ranks.ToArray());
        Assert.Equal(1.0 / 3, result.Metrics[1].Precision, 12);
        Assert.Equal(2.0 / 3, result.Metrics[2].Precision, 12);
        Assert.Equal((1 + 0.5) / 3, result.Metrics[2].Mrr, 12);
        Assert.Equal((1 + 1 / Math.Log2(3)) / 3, result.Metrics[2].Ndcg, 12);
    }

    [Fact]
    public void Unknown_targets_are_misses_and_are_counted()
    {
        var scorer = new FixedScorer([0, 4, 3, 2, 1]);
        var vocabulary = TestData.Vocabulary(5);
        ImmutableArray<Sample> samples =
        [
            new(0, 0, SplitPart.Test, [1, 2], 1),    // rank 1
            new(1, 0, SplitPart.Test, [1], 99),      // target unknown: a miss
            new(2, 1, SplitPart.Test, [77, 3], 2),   // prefix item 77 unknown and skipped; rank 2
        ];
        var result = Evaluator.Evaluate(scorer, samples, vocabulary);
        Assert.Equal(1, result.UnknownTargets);
        Assert.Equal(1, result.UnknownPrefixItems);
        Assert.Equal(3, result.Metrics.Count);
        Assert.Equal([1, 0, 2], result.Ranks.ToArray());
        foreach (var k in new[] { 5, 10, 20 }) Assert.Equal(2.0 / 3, result.Metrics[k].Precision, 12);
        Assert.Equal((1 + 0.5) / 3, result.Metrics[20].Mrr, 12);
    }

    [Fact]
    public void The_scorer_sees_the_known_prefix_items_as_dense_indices()
    {
        var vocabulary = ItemVocabulary.FromIds([10, 20, 30]); // dense 1, 2, 3
        var recorder = new RecordingScorer(vocabulary.Size);
        Evaluator.Evaluate(recorder, [new Sample(0, 0, SplitPart.Test, [30, 99, 10], 20)], vocabulary);
        Assert.Equal([3, 1], recorder.Last);
    }

    [Fact]
    public void Reports_progress_up_to_the_sample_count()
    {
        var vocabulary = TestData.Vocabulary(4);
        var samples = Enumerable.Range(0, 300).Select(i => new Sample(i, i, SplitPart.Test, [1], 2)).ToList();
        var seen = new List<int>();
        var progress = new SynchronousProgress<int>(value => { lock (seen) seen.Add(value); });
        Evaluator.Evaluate(new FixedScorer([0, 1, 1, 1]), samples, vocabulary, new EvaluationOptions { DegreeOfParallelism = 2 }, progress);
        Assert.Equal(300, seen.Max());
    }

    [Fact]
    public void Rejects_a_scorer_fitted_on_another_vocabulary()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Evaluator.Evaluate(new FixedScorer([0, 1, 2]), [], TestData.Vocabulary(5)));
        Assert.Contains("3 score slots", error.Message);
    }

    private sealed class FixedScorer(float[] fixedScores) : ISessionScorer
    {
        public int Size => fixedScores.Length;
        public void Score(ReadOnlySpan<int> prefix, Span<float> scores) => fixedScores.CopyTo(scores);
    }

    private sealed class RecordingScorer(int size) : ISessionScorer
    {
        public int[] Last { get; private set; } = [];
        public int Size => size;
        public void Score(ReadOnlySpan<int> prefix, Span<float> scores)
        {
            Last = prefix.ToArray();
            scores.Clear();
        }
    }
}
