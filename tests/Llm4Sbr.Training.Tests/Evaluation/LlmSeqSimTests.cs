using System.Collections.Immutable;
using CsCheck;
using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Core.Evaluation;
using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Evaluation;
using Llm4Sbr.Training.Models;
using Xunit;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Tests.Evaluation;

public class LlmSeqSimTests
{
    /// <summary>A catalogue (row j: dense index j + 1) and test samples over it.</summary>
    public sealed record Case(int Items, int Dim, float[] Table, int[][] Sessions, int[] Targets)
    {
        public override string ToString() =>
            $"items {Items}, dim {Dim}, sessions [{string.Join("; ", Sessions.Select(s => string.Join(",", s)))}], targets [{string.Join(",", Targets)}]";
    }

    static readonly Gen<Case> Cases =
        from items in Gen.Int[2, 12]
        from dim in Gen.Int[1, 6]
        from table in Gen.Int[-1000, 1000].Select(v => v / 1000f).Array[items * dim] // no near-zero norms: cosine's eps stays out of it
        from sessions in Gen.Int[1, items].Array[1, 6].Array[1, 8]
        from targets in Gen.Int[1, items].Array[sessions.Length]
        select new Case(items, dim, table, sessions, targets);

    /// <summary>Every setting the schema allows: last (no decay), or the mean with each decay; each
    /// similarity; exclusion on and off.</summary>
    static IEnumerable<LlmSeqSimOptions> AllOptions() =>
        from aggregation in Enum.GetValues<SessionDecay>().Select(d => (Combination: SessionCombination.Mean, Decay: d)).Prepend((SessionCombination.Last, SessionDecay.None))
        from similarity in Enum.GetValues<TextSimilarityMeasure>()
        from exclude in new[] { true, false }
        select new LlmSeqSimOptions(aggregation.Item1, aggregation.Item2, similarity, exclude, BatchSize: 3);

    /// <summary>The reference's decay by position from the newest click (i = 1 newest), written out
    /// independently of <see cref="LlmSeqSim.DecayWeights"/>.</summary>
    static double ReferenceWeight(SessionDecay decay, int i, int length) => decay switch
    {
        SessionDecay.None => 1,
        SessionDecay.ConstantLinear => Math.Max(0.00001, 1.0 - (i - 1) * 0.1),
        SessionDecay.ScalingLinear => Math.Max(0.00001, 1.0 - (i - 1) * (1.0 / length)),
        SessionDecay.ScalingQuadratic => Math.Pow(Math.Max(0.00001, 1.0 - (i - 1) * (1.0 / length)), 2),
        SessionDecay.ScalingCubic => Math.Pow(Math.Max(0.00001, 1.0 - (i - 1) * (1.0 / length)), 3),
        SessionDecay.Log => 1 / (Math.Log(i) + 1),
        SessionDecay.Harmonic => 1.0 / i,
        _ => 1.0 / (i * i),
    };

    /// <summary>Brute force in double: the session vector, its similarity with every item, -inf for the
    /// session's own items when excluded and for an item whose row is all zeros (an item without a title).</summary>
    static double[] BruteScores(Case c, int[] session, LlmSeqSimOptions o)
    {
        double[] Row(int index) => [.. Enumerable.Range(0, c.Dim).Select(j => (double)c.Table[(index - 1) * c.Dim + j])];
        double[] query;
        if (o.Combination == SessionCombination.Last) query = Row(session[^1]);
        else
        {
            query = new double[c.Dim];
            double total = 0;
            for (int p = 0; p < session.Length; p++)
            {
                double w = ReferenceWeight(o.Decay, session.Length - p, session.Length);
                total += w;
                var row = Row(session[p]);
                for (int j = 0; j < c.Dim; j++) query[j] += w * row[j];
            }
            for (int j = 0; j < c.Dim; j++) query[j] /= total;
        }
        static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();
        static double Norm(double[] a) => Math.Sqrt(Dot(a, a));
        var scores = new double[c.Items];
        for (int item = 1; item <= c.Items; item++)
        {
            var t = Row(item);
            scores[item - 1] = o.Similarity switch
            {
                TextSimilarityMeasure.Cosine => Norm(query) == 0 || Norm(t) == 0 ? 0 : Dot(query, t) / (Norm(query) * Norm(t)),
                TextSimilarityMeasure.Dot => Dot(query, t),
                _ => 1 / (1 + Math.Sqrt(query.Zip(t, (x, y) => (x - y) * (x - y)).Sum())),
            };
            if (o.ExcludeSessionItems && session.Contains(item)) scores[item - 1] = double.NegativeInfinity;
            if (t.All(v => v == 0)) scores[item - 1] = double.NegativeInfinity;
        }
        return scores;
    }

    static TrainingSplit SplitOf(Case c) => new(
        new PreparedSampleSet([.. c.Sessions.Select((s, i) => new PreparedSample(i, i, [.. s], c.Targets[i]))]), ViewTable.None);

    [Fact]
    public void Scores_and_ranks_equal_brute_force_for_every_combination_decay_similarity_and_exclusion() =>
        Cases.CheckFixed(c =>
        {
            var items = new EmbeddingMatrix(c.Items, c.Dim, c.Table);
            foreach (var options in AllOptions())
            {
                using var scope = NewDisposeScope();
                using var scorer = new LlmSeqSimScorer(items, options, CPU);
                var scores = scorer.Scores([.. c.Sessions.Select(s => s.ToImmutableArray())]);
                var result = LlmSeqSim.Evaluate(SplitOf(c), items, options, CPU).Match(r => r, e => throw new Exception(e.Message));
                for (int b = 0; b < c.Sessions.Length; b++)
                {
                    var expected = BruteScores(c, c.Sessions[b], options);
                    var actual = scores[b].data<float>().ToArray();
                    for (int j = 0; j < c.Items; j++)
                        if (double.IsNegativeInfinity(expected[j])) Assert.True(float.IsNegativeInfinity(actual[j]), $"{options}: item {j + 1} should be excluded");
                        else Assert.True(Math.Abs(expected[j] - actual[j]) <= 1e-4 * Math.Max(1, Math.Abs(expected[j])), $"{options}: sample {b}, item {j + 1}: {actual[j]} vs {expected[j]}");
                    var rank = Ranking.RankOf([float.NegativeInfinity, .. expected.Select(v => (float)v)], c.Targets[b]);
                    Assert.True(rank == result.Ranks[b], $"{options}: sample {b}: rank {result.Ranks[b]}, brute force {rank}");
                }
            }
        }, iter: 40);

    [Fact]
    public void A_harmonic_mean_of_two_axes_ranks_as_worked_out_by_hand()
    {
        // Items 1, 2, 3 are the unit axes. Session [1, 2] with harmonic weights 1/2, 1 -> (1/3, 2/3, 0):
        // cosine ranks item 2, then 1, then 3; with the session's items left out, item 3 comes first.
        var items = new EmbeddingMatrix(3, 3, [1, 0, 0, /**/ 0, 1, 0, /**/ 0, 0, 1]);
        var split = SplitOf(new Case(3, 3, items.Data, [[1, 2], [1, 2], [1, 2]], [1, 2, 3]));
        var keep = new LlmSeqSimOptions(SessionCombination.Mean, SessionDecay.Harmonic, ExcludeSessionItems: false);
        Assert.Equal([2, 1, 3], LlmSeqSim.Evaluate(split, items, keep, CPU).Match(r => r.Ranks.ToArray(), e => throw new Exception(e.Message)));
        var leaveOut = keep with { ExcludeSessionItems = true };
        Assert.Equal([3, 3, 1], LlmSeqSim.Evaluate(split, items, leaveOut, CPU).Match(r => r.Ranks.ToArray(), e => throw new Exception(e.Message)));
    }

    [Fact]
    public void Decay_weights_are_the_references_with_the_newest_click_weighing_one()
    {
        Assert.Equal([1.0 / 3, 1.0 / 2, 1], LlmSeqSim.DecayWeights(SessionDecay.Harmonic, 3));
        Assert.Equal([0.25, 0.5, 0.75, 1], LlmSeqSim.DecayWeights(SessionDecay.ScalingLinear, 4));
        Assert.Equal([0.8, 0.9, 1], LlmSeqSim.DecayWeights(SessionDecay.ConstantLinear, 3), new ToleranceComparer(1e-12));
        Assert.Equal([1 / (Math.Log(2) + 1), 1], LlmSeqSim.DecayWeights(SessionDecay.Log, 2));
        Assert.Equal(1e-5, LlmSeqSim.DecayWeights(SessionDecay.ConstantLinear, 15)[0]);
        Assert.All(Enum.GetValues<SessionDecay>(), d => Assert.Equal(1, LlmSeqSim.DecayWeights(d, 5)[^1]));
    }

    sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }

    [Fact]
    public void Parameters_have_defaults_valid_choices_and_reject_a_decay_without_the_mean()
    {
        var spec = ModelRegistry.Find("llmseqsim").Match(s => s, e => throw new Exception(e.Message));
        Assert.Equal(ModelKind.TextSimilarity, spec.Kind);
        Assert.True(spec.ReadsItemTexts);
        var schema = ModelRegistry.ParametersOf(spec);
        Assert.Equal(LlmSeqSimOptions.Default, LlmSeqSim.Options(schema.Resolve(new Dictionary<string, string>())).Match(o => o, e => throw new Exception(e.Message)));

        Assert.Equal("model 'llmseqsim' has no parameter 'aggregation'; valid parameters: combination, decay, similarity, exclude_session_items",
            schema.Check("llmseqsim", new Dictionary<string, string> { ["aggregation"] = "mean" }).Match(_ => "", e => e.Message));
        Assert.Equal("model 'llmseqsim': 'similarity' must be one of cosine, dot, euclidean, got 'manhattan'",
            schema.Check("llmseqsim", new Dictionary<string, string> { ["similarity"] = "manhattan" }).Match(_ => "", e => e.Message));
        Assert.Contains("harmonic, harmonic_squared, got 'exp'",
            schema.Check("llmseqsim", new Dictionary<string, string> { ["decay"] = "exp" }).Match(_ => "", e => e.Message));
        Assert.Contains("needs combination: mean",
            LlmSeqSim.Options(schema.Resolve(new Dictionary<string, string> { ["decay"] = "harmonic" })).Match(_ => "", e => e.Message));
        var mean = LlmSeqSim.Options(schema.Resolve(new Dictionary<string, string> { ["combination"] = "mean", ["decay"] = "harmonic", ["similarity"] = "euclidean", ["exclude_session_items"] = "false" }))
            .Match(o => o, e => throw new Exception(e.Message));
        Assert.Equal(new LlmSeqSimOptions(SessionCombination.Mean, SessionDecay.Harmonic, TextSimilarityMeasure.Euclidean, false), mean);
        Assert.Contains("is not trained", ModelRegistry.Create(spec, 5, ModelOptions.Default, new Dictionary<string, int>()).Match(_ => "", e => e.Message));
    }
}
