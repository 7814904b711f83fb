using Xunit;

namespace Llm4Sbr.Baselines.Tests;

public class ItemKnnTests
{
    // Supports: item 1 = 3 clicks, item 2 = 2, item 3 = 1, item 4 = 1.
    // Co-occurrence with item 1: item 2 in two sessions, item 3 in one; item 4 never.
    private static readonly TrainingSessions Shop = TestData.Training(5, [1, 2], [1, 2], [1, 3], [4]);

    [Fact]
    public void Scores_are_the_regularized_cosine_to_the_last_click()
    {
        var scorer = new ItemKnn(new ItemKnnOptions(Neighbours: 100, Lambda: 20, Alpha: 0.5)).Fit(Shop);
        var scores = TestData.Scores(scorer, 3, 1); // the last click (1) decides
        Assert.Equal(2 / Math.Sqrt((3 + 20) * (2 + 20)), scores[2], 6);
        Assert.Equal(1 / Math.Sqrt((3 + 20) * (1 + 20)), scores[3], 6);
        Assert.Equal(0, scores[1]); // an item is not its own neighbour
        Assert.Equal(0, scores[4]);
        Assert.Equal([2, 3, 1, 4], TestData.Ranking(scores));
    }

    [Fact]
    public void Alpha_one_gives_the_confidence_of_the_rule()
    {
        var scorer = new ItemKnn(new ItemKnnOptions(Lambda: 0, Alpha: 1)).Fit(Shop);
        var scores = TestData.Scores(scorer, 2);
        Assert.Equal(2.0 / 2, scores[1], 6); // co-occurrence / support of the last item (2)
        var fromOne = TestData.Scores(scorer, 1);
        Assert.Equal(2.0 / 3, fromOne[2], 6);
        Assert.Equal(1.0 / 3, fromOne[3], 6);
    }

    [Fact]
    public void Keeps_only_the_most_similar_neighbours()
    {
        var scorer = new ItemKnn(new ItemKnnOptions(Neighbours: 1)).Fit(Shop);
        var scores = TestData.Scores(scorer, 1);
        Assert.True(scores[2] > 0);
        Assert.Equal(0, scores[3]);
    }

    [Fact]
    public void Repeated_clicks_count_in_co_occurrence_as_in_session_rec()
    {
        // Session [1, 1, 2]: both clicks on 1 co-occur with 2 -> co-occurrence 2, support(1) = 2.
        var scorer = new ItemKnn(new ItemKnnOptions(Lambda: 0, Alpha: 0.5)).Fit(TestData.Training(3, [1, 1, 2]));
        Assert.Equal(2 / Math.Sqrt(2 * 1), TestData.Scores(scorer, 2)[1], 6);
    }

    [Fact]
    public void An_empty_session_scores_nothing()
    {
        var scores = TestData.Scores(new ItemKnn(ItemKnnOptions.Default).Fit(Shop));
        Assert.All(scores[1..], s => Assert.Equal(0, s));
    }
}
