using CsCheck;
using Xunit;

namespace Llm4Sbr.Baselines.Tests;

public class SknnTests
{
    // s0 = {1,2,3} shares two items with the session [1, 2]; s1 = {1,4} one; s2 = {5,6} none.
    private static readonly TrainingSessions Shop = TestData.Training(7, [1, 2, 3], [1, 4], [5, 6]);
    private static readonly double Cos0 = 2 / Math.Sqrt(2 * 3), Cos1 = 1 / Math.Sqrt(2 * 2);

    [Fact]
    public void Items_get_the_summed_cosine_of_the_neighbours_holding_them()
    {
        var scores = TestData.Scores(new Sknn(SknnOptions.Default).Fit(Shop), 1, 2);
        Assert.Equal(Cos0 + Cos1, scores[1], 6);
        Assert.Equal(Cos0, scores[2], 6);
        Assert.Equal(Cos0, scores[3], 6);
        Assert.Equal(Cos1, scores[4], 6);
        Assert.Equal(0, scores[5]);
        Assert.Equal(0, scores[6]);
    }

    [Fact]
    public void Jaccard_divides_by_the_union()
    {
        var scores = TestData.Scores(new Sknn(SknnOptions.Default with { Similarity = SessionSimilarity.Jaccard }).Fit(Shop), 1, 2);
        Assert.Equal(2.0 / 3, scores[3], 6);
        Assert.Equal(1.0 / 3, scores[4], 6);
    }

    [Fact]
    public void Without_remind_the_session_items_score_nothing()
    {
        var scores = TestData.Scores(new Sknn(SknnOptions.Default with { Remind = false }).Fit(Shop), 1, 2);
        Assert.Equal(0, scores[1]);
        Assert.Equal(0, scores[2]);
        Assert.Equal(Cos0, scores[3], 6);
    }

    [Fact]
    public void Only_the_k_most_similar_sessions_vote()
    {
        var scores = TestData.Scores(new Sknn(SknnOptions.Default with { K = 1 }).Fit(Shop), 1, 2);
        Assert.Equal(Cos0, scores[3], 6);
        Assert.Equal(0, scores[4]);
    }

    [Fact]
    public void Recent_sampling_keeps_the_latest_candidates_and_breaks_similarity_ties_by_recency()
    {
        var sampled = TestData.Scores(new Sknn(SknnOptions.Default with { SampleSize = 1 }).Fit(Shop), 1, 2);
        Assert.Equal(0, sampled[3]); // s0 is older than s1 and was not sampled
        Assert.Equal(Cos1, sampled[4], 6);

        var tie = TestData.Training(4, [1, 2], [1, 3]);
        var scores = TestData.Scores(new Sknn(SknnOptions.Default with { K = 1 }).Fit(tie), 1);
        Assert.Equal(0, scores[2]);
        Assert.True(scores[3] > 0);
    }
}

public class VsknnTests
{
    [Fact]
    public void Linear_decay_weighs_the_last_ten_clicks()
    {
        var expected = new[] { 0, 0, 0, 0, 0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0 };
        for (int p = 1; p <= 15; p++) Assert.Equal(expected[p - 1], Decays.Position(PositionDecay.Linear, p, 15), 12);
        Assert.Equal(3.0 / 4, Decays.Position(PositionDecay.Div, 3, 4), 12);
        Assert.Equal(1.0 / 3, Decays.Match(MatchDecay.Div, 3), 12);
        Assert.Equal(1.0 / 9, Decays.Match(MatchDecay.Quadratic, 3), 12);
    }

    [Fact]
    public void Votes_are_the_position_weighted_overlap_times_the_match_decay()
    {
        // Session [1, 2]: weights 0.9 (item 1) and 1.0 (item 2); two distinct items.
        // s0 = {1,3}: similarity 0.9 / 2, latest shared click two back -> 1/2.
        // s1 = {2,4}: similarity 1.0 / 2, latest shared click is the last -> 1.
        var shop = TestData.Training(6, [1, 3], [2, 4]);
        var scores = TestData.Scores(new Vsknn(VsknnOptions.Default).Fit(shop), 1, 2);
        Assert.Equal(0.45 * 0.5, scores[3], 6);
        Assert.Equal(0.45 * 0.5, scores[1], 6);
        Assert.Equal(0.5, scores[4], 6);
        Assert.Equal(0.5, scores[2], 6);
        Assert.Equal([2, 4, 1, 3, 5], TestData.Ranking(scores));

        var boosted = TestData.Scores(new Vsknn(VsknnOptions.Default with { IdfWeighting = 1 }).Fit(shop), 1, 2);
        Assert.Equal(0.225 * (1 + Math.Log(2.0 / 1)), boosted[3], 6);
    }

    [Fact]
    public void A_click_before_the_last_ten_finds_no_neighbour()
    {
        // Only item 1 links the session to the neighbour {1, 13}.
        var vsknn = new Vsknn(VsknnOptions.Default).Fit(TestData.Training(14, [1, 13]));
        int[] eleven = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
        Assert.Equal(0, TestData.Scores(vsknn, eleven)[13]);     // 11th click from the end: weight 0
        Assert.True(TestData.Scores(vsknn, eleven[..10])[13] > 0); // 10th from the end: weight 0.1
    }
}

public class StanTests
{
    // Session [1, 2]. s0 = [3, 1, 4] (ordinal 0), s1 = [2, 5] (ordinal 1); two training sessions,
    // so their ages are 2 and 1.
    private static readonly TrainingSessions Shop = TestData.Training(6, [3, 1, 4], [2, 5]);
    private const double Spw = 2, Snh = 3, Inh = 0.5;

    private static (double Sim0, double Sim1) Similarities()
    {
        double w1 = Math.Exp(-(2 - 1) / Spw), w2 = 1; // exp(-(L - p) / lambda_spw)
        double norm = Math.Sqrt(w1 * w1 + w2 * w2);
        double sim0 = w1 / (norm * Math.Sqrt(3)) * Math.Exp(-2 / Snh);
        double sim1 = w2 / (norm * Math.Sqrt(2)) * Math.Exp(-1 / Snh);
        return (sim0, sim1);
    }

    [Fact]
    public void Exponential_decay_matches_its_formula()
    {
        Assert.Equal(Math.Exp(-2 / 1.02), Decays.Exponential(2, 1.02), 12);
        Assert.Equal(1, Decays.Exponential(0, 0.5));
        Assert.Equal(1, Decays.Exponential(7, double.PositiveInfinity));
    }

    [Fact]
    public void Scores_follow_the_three_decays()
    {
        var (sim0, sim1) = Similarities();
        var options = StanOptions.Default with { LambdaSpw = Spw, LambdaSnh = Snh, LambdaInh = Inh };
        var scores = TestData.Scores(new Stan(options).Fit(Shop), 1, 2);
        // s0: the shared item 1 sits at position 2; items 3 and 4 are one step from it.
        Assert.Equal(sim0 * Math.Exp(-1 / Inh), scores[3], 6);
        Assert.Equal(sim0 * Math.Exp(-1 / Inh), scores[4], 6);
        Assert.Equal(sim0, scores[1], 6);
        // s1: the shared item 2 at position 1, item 5 one step later.
        Assert.Equal(sim1, scores[2], 6);
        Assert.Equal(sim1 * Math.Exp(-1 / Inh), scores[5], 6);
    }

    [Fact]
    public void The_anchor_is_the_last_position_of_a_shared_item_in_the_neighbour()
    {
        // Neighbour [1, 7, 8, 1, 9, 6]: item 1 is last at position 4, so 8 and 9 are one step
        // from it, 7 and 6 two (anchored at the first click on 1, 7 would be the nearest).
        var shop = TestData.Training(10, [1, 7, 8, 1, 9, 6]);
        var options = StanOptions.Default with { LambdaInh = 1, Remind = false };
        var scores = TestData.Scores(new Stan(options).Fit(shop), 1);
        Assert.Equal(Math.Exp(-1), scores[7] / scores[8], 5);
        Assert.Equal(Math.Exp(-1), scores[6] / scores[9], 5);
        Assert.Equal(1, scores[8] / scores[9], 5);
        Assert.Equal(0, scores[1]);
    }

    [Fact]
    public void Vstan_adds_the_match_decay_and_the_idf_boost()
    {
        var (sim0, sim1) = Similarities();
        const double ipw = 4, idfWeight = 0.5;
        var options = VstanOptions.Default with { LambdaSpw = Spw, LambdaSnh = Snh, LambdaInh = Inh, LambdaIpw = ipw, LambdaIdf = idfWeight };
        var scores = TestData.Scores(new Vstan(options).Fit(Shop), 1, 2);
        double boost = 1 + Math.Log(2.0 / 1) * idfWeight; // every item was clicked once in 2 sessions
        double match0 = Math.Exp(-(2 - 1) / ipw);        // s0 shares item 1, clicked one step back
        Assert.Equal(sim0 * match0 * Math.Exp(-1 / Inh) * boost, scores[3], 6);
        Assert.Equal(sim0 * match0 * boost, scores[1], 6);
        Assert.Equal(sim1 * boost, scores[2], 6);
        Assert.Equal(sim1 * Math.Exp(-1 / Inh) * boost, scores[5], 6);
    }
}

public class NeighbourhoodSamplingTests
{
    // Ten sessions share item 1, each with its own second item 2..11.
    private static readonly TrainingSessions Star = TestData.Training(12, [.. Enumerable.Range(2, 10).Select(i => new[] { 1, i })]);

    private static int[] Voted(IBaselineAlgorithm algorithm, params int[] prefix)
    {
        var scores = TestData.Scores(algorithm.Fit(Star), prefix);
        return [.. Enumerable.Range(2, 10).Where(i => scores[i] > 0)];
    }

    [Fact]
    public void Recent_sampling_takes_the_latest_sessions()
    {
        Assert.Equal([9, 10, 11], Voted(new Sknn(SknnOptions.Default with { SampleSize = 3 }), 1));
        Assert.Equal([9, 10, 11], Voted(new Stan(StanOptions.Default with { SampleSize = 3 }), 1));
    }

    [Fact]
    public void Random_sampling_is_reproducible_for_a_seed_and_varies_between_seeds()
    {
        SknnOptions Options(long seed) => SknnOptions.Default with { SampleSize = 3, Sampling = CandidateSampling.Random, Seed = seed };
        var samples = Enumerable.Range(1, 12).Select(seed => Voted(new Sknn(Options(seed)), 1)).ToList();
        Assert.All(samples, s => Assert.Equal(3, s.Length));
        for (int seed = 1; seed <= 12; seed++)
            Assert.Equal(samples[seed - 1], Voted(new Sknn(Options(seed)), 1));
        Assert.True(samples.Select(s => string.Join(",", s)).Distinct().Count() > 1);
    }

    [Fact]
    public void Sample_size_zero_keeps_every_candidate()
    {
        Assert.Equal(10, Voted(new Vsknn(VsknnOptions.Default with { SampleSize = 0 }), 1).Length);
    }
}

public class BaselinePropertyTests
{
    private static IEnumerable<IBaselineAlgorithm> All(long seed) =>
    [
        new Pop(), new SessionPop(), new ItemKnn(ItemKnnOptions.Default),
        new Sknn(SknnOptions.Default with { SampleSize = 4, Sampling = CandidateSampling.Random, Seed = seed }),
        new Vsknn(VsknnOptions.Default with { K = 3, SampleSize = 5, Sampling = CandidateSampling.Random, Seed = seed }),
        new Stan(StanOptions.Default with { K = 2, SampleSize = 6 }),
        new Vstan(VstanOptions.Default with { K = 4, SampleSize = 3, Sampling = CandidateSampling.Random, Seed = seed }),
    ];

    [Fact]
    public void Evaluation_is_identical_across_fits_and_degrees_of_parallelism()
    {
        var gen = from c in TestData.Catalogue from seed in Gen.Long select (c, seed);
        gen.CheckFixed(x =>
        {
            var vocabulary = TestData.Vocabulary(x.c.Size);
            var samples = TestData.AllPrefixes(x.c.Sessions);
            var training = TestData.Training(x.c.Size, x.c.Sessions);
            foreach (var (first, second) in All(x.seed).Zip(All(x.seed)))
            {
                var one = Core.Evaluation.Evaluator.Evaluate(first.Fit(training), samples, vocabulary, new() { DegreeOfParallelism = 1 });
                var many = Core.Evaluation.Evaluator.Evaluate(second.Fit(training), samples, vocabulary, new() { DegreeOfParallelism = 3 });
                Assert.Equal(one.Ranks.ToArray(), many.Ranks.ToArray());
            }
        }, iter: 25);
    }

    [Fact]
    public void Neighbourhood_methods_only_score_items_that_share_a_training_session_with_the_session()
    {
        var gen = from c in TestData.Catalogue
                  from prefix in Gen.Int[1, c.Size - 1].Array[1, 5]
                  select (c, prefix);
        gen.CheckFixed(x =>
        {
            var training = TestData.Training(x.c.Size, x.c.Sessions);
            var reachable = x.c.Sessions.Where(s => s.Intersect(x.prefix).Any()).SelectMany(s => s).ToHashSet();
            foreach (var algorithm in All(7).Skip(3))
            {
                var scores = TestData.Scores(algorithm.Fit(training), x.prefix);
                for (int i = 1; i < scores.Length; i++)
                {
                    Assert.False(float.IsNaN(scores[i]));
                    if (!reachable.Contains(i)) Assert.Equal(0, scores[i]);
                }
            }
        }, iter: 100);
    }
}
