using CsCheck;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Evaluation;
using Xunit;

namespace Llm4Sbr.Baselines.Tests;

public class TopKTests
{
    [Fact]
    public void Matches_a_full_sort_by_score_then_lower_index()
    {
        // Few distinct values so that ties are common.
        var gen = from scores in Gen.Int[0, 4].Select(v => (float)v).Array[1, 60]
                  from k in Gen.Int[0, 70]
                  select (scores, k);
        gen.CheckFixed(c =>
        {
            var expected = TestData.Ranking(c.scores).Take(c.k).ToArray();
            Assert.Equal(expected, TopK.Indices(c.scores, c.k));
        }, iter: 200);
    }

    [Fact]
    public void Nan_scores_come_last_and_slot_zero_is_skipped()
    {
        float[] scores = [100, float.NaN, 1, float.NegativeInfinity, 3];
        Assert.Equal([4, 2, 3, 1], TopK.Indices(scores, 10));
        Assert.Equal([4], TopK.Indices(scores, 1));
    }

    [Fact]
    public void Recommend_returns_item_ids_and_can_exclude_the_session()
    {
        var vocabulary = ItemVocabulary.FromIds([10, 20, 30, 40]);
        var training = TrainingSessions.FromSessions(
            [new Session(0, 0, 0, [10, 20]), new Session(1, 1, 0, [20, 30]), new Session(2, 2, 0, [20, 40, 40])], vocabulary).ThrowIfFail();
        var scorer = new Pop().Fit(training);
        var all = Recommendations.Recommend(scorer, vocabulary, [20], 3);
        Assert.Equal([20, 40, 10], all.Select(r => r.ItemId));
        Assert.Equal([3f, 2f, 1f], all.Select(r => r.Score));
        var fresh = Recommendations.Recommend(scorer, vocabulary, [20, 999], 3, excludeSessionItems: true);
        Assert.Equal([40, 10, 30], fresh.Select(r => r.ItemId));
    }
}
