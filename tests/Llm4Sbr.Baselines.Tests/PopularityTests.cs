using CsCheck;
using Xunit;

namespace Llm4Sbr.Baselines.Tests;

public class PopularityTests
{
    // Clicks: item 1 twice, item 2 three times, item 3 once, item 4 never.
    private static readonly TrainingSessions Shop = TestData.Training(5, [1, 2], [2, 3], [2, 1]);

    [Fact]
    public void Pop_ranks_by_training_clicks_whatever_the_session()
    {
        var scorer = new Pop().Fit(Shop);
        var scores = TestData.Scores(scorer, 3);
        Assert.Equal([2f, 3f, 1f, 0f], scores[1..]);
        Assert.Equal(float.NegativeInfinity, scores[0]);
        Assert.Equal([2, 1, 3, 4], TestData.Ranking(scores));
        Assert.Equal(scores, TestData.Scores(scorer, 1, 4));
    }

    [Fact]
    public void Spop_puts_session_items_first_by_their_count_then_global_popularity()
    {
        var scorer = new SessionPop().Fit(Shop);
        // Session: 3 twice, 4 once, 1 once. Among 4 and 1 (one click each) the more popular 1 wins;
        // then the rest by popularity: 2.
        var ranking = TestData.Ranking(TestData.Scores(scorer, 3, 4, 3, 1));
        Assert.Equal([3, 1, 4, 2], ranking);
        // Without a session it is POP.
        Assert.Equal([2, 1, 3, 4], TestData.Ranking(TestData.Scores(scorer)));
    }

    [Fact]
    public void Spop_ranks_every_session_item_above_every_other_item()
    {
        var gen = from c in TestData.Catalogue
                  from prefix in Gen.Int[1, c.Size - 1].Array[0, 6]
                  select (c, prefix);
        gen.CheckFixed(x =>
        {
            var scorer = new SessionPop().Fit(TestData.Training(x.c.Size, x.c.Sessions));
            var scores = TestData.Scores(scorer, x.prefix);
            var inSession = x.prefix.ToHashSet();
            var ranking = TestData.Ranking(scores);
            Assert.True(ranking.Take(inSession.Count).All(inSession.Contains));
            // Within the session, more clicks there never rank lower.
            var count = x.prefix.CountBy(i => i).ToDictionary(p => p.Key, p => p.Value);
            var sessionOrder = ranking.Take(inSession.Count).Select(i => count[i]).ToArray();
            Assert.Equal(sessionOrder.OrderDescending(), sessionOrder);
        }, iter: 100);
    }
}
