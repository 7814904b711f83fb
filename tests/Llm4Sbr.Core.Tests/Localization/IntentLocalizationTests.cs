using CsCheck;
using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Core.Localization;
using Xunit;
using Llm4Sbr.Core.Reporting;

namespace Llm4Sbr.Core.Tests.Localization;

public class IntentLocalizationTests
{
    private const double Tolerance = 1e-5;

    private static LocalizedIntents Run(EmbeddingMatrix queries, EmbeddingMatrix items, LocalizationOptions options) =>
        IntentLocalization.Localize(queries, items, options).Match(r => r, e => throw new Xunit.Sdk.XunitException(e.Message));

    [Fact]
    public void Equals_the_brute_force_within_1e5()
    {
        LocalizationCase.Generator().CheckFixed(c =>
        {
            var result = Run(c.QueryMatrix, c.ItemMatrix, c.Options);
            Assert.Equal(c.Queries.Length, result.Rows);
            for (int r = 0; r < c.Queries.Length; r++)
            {
                var sims = BruteForceLocalization.Similarities(c.Queries[r], c.Items);
                var chosen = result.TopItems(r).ToArray();
                var scores = result.TopScores(r).ToArray();
                Assert.Equal(c.K, chosen.Length);
                Assert.Equal(chosen.Length, chosen.Distinct().Count());
                for (int j = 0; j < c.K; j++) Assert.True(Math.Abs(scores[j] - sims[chosen[j]]) <= Tolerance, $"row {r} rank {j}: {scores[j]} vs {sims[chosen[j]]}");
                // The chosen items are a top-k of the brute force, up to float rounding between near ties ...
                double weakestChosen = chosen.Min(i => sims[i]);
                double bestOther = Enumerable.Range(0, c.Items.Length).Except(chosen).Select(i => sims[i]).DefaultIfEmpty(double.NegativeInfinity).Max();
                Assert.True(weakestChosen >= bestOther - Tolerance, $"row {r}: chosen {weakestChosen} < unchosen {bestOther}");
                // ... and exactly the brute force's when there are no near ties.
                if (c.Unambiguous()) Assert.Equal(BruteForceLocalization.TopK(sims, c.K), chosen);
                var expected = BruteForceLocalization.WeightedSum(c.Items, chosen.Select(i => (i, sims[i])), c.Dim);
                var actual = result.Embeddings.Row(r);
                for (int d = 0; d < c.Dim; d++) Assert.True(Math.Abs(actual[d] - expected[d]) <= Tolerance, $"row {r} dim {d}: {actual[d]} vs {expected[d]}");
            }
        }, iter: 150);
    }

    [Fact]
    public void K1_gives_the_nearest_items_unit_embedding_scaled_by_its_similarity()
    {
        LocalizationCase.Generator(maxK: 1).Where(c => c.Unambiguous()).CheckFixed(c =>
        {
            var result = Run(c.QueryMatrix, c.ItemMatrix, c.Options with { TopK = 1 });
            for (int r = 0; r < c.Queries.Length; r++)
            {
                var sims = BruteForceLocalization.Similarities(c.Queries[r], c.Items);
                int nearest = Enumerable.Range(0, sims.Length).MaxBy(i => sims[i]);
                Assert.Equal(nearest, result.TopItems(r)[0]);
                var item = BruteForceLocalization.Unit(c.Items[nearest]);
                for (int d = 0; d < c.Dim; d++)
                    Assert.True(Math.Abs(result.Embeddings.Row(r)[d] - sims[nearest] * item[d]) <= Tolerance);
            }
        }, iter: 100);
    }

    [Fact]
    public void Result_does_not_depend_on_item_order()
    {
        var gen = from c in LocalizationCase.Generator().Where(c => c.Unambiguous())
                  from permutation in Gen.Shuffle(Enumerable.Range(0, c.Items.Length).ToArray())
                  select (c, permutation);
        gen.CheckFixed(t =>
        {
            var (c, permutation) = t;
            // permuted[p] = items[permutation[p]]: position p of the permuted catalogue holds original item permutation[p].
            var permuted = permutation.Select(i => c.Items[i]).ToArray();
            var original = Run(c.QueryMatrix, c.ItemMatrix, c.Options);
            var shuffled = Run(c.QueryMatrix, LocalizationCase.ToMatrix(permuted, c.Dim), c.Options);
            Assert.Equal(original.TopItemIndices, shuffled.TopItemIndices.Select(p => permutation[p]).ToArray());
            // Each (query, item) similarity is computed by the same sequence of operations wherever the item sits.
            Assert.Equal(original.TopSimilarities, shuffled.TopSimilarities);
            Assert.Equal(original.Embeddings.Data, shuffled.Embeddings.Data);
        }, iter: 100);
    }

    [Fact]
    public void Similarities_are_sorted_descending_with_ties_broken_by_lower_index()
    {
        // Duplicated items force exact ties.
        var gen = from c in LocalizationCase.Generator()
                  from copies in Gen.Int[0, c.Items.Length - 1].Array[1, 4]
                  select c with { Items = c.Items.Concat(copies.Select(i => c.Items[i])).ToArray() };
        gen.CheckFixed(c =>
        {
            var result = Run(c.QueryMatrix, c.ItemMatrix, c.Options);
            for (int r = 0; r < result.Rows; r++)
            {
                var scores = result.TopScores(r);
                var items = result.TopItems(r);
                for (int j = 1; j < scores.Length; j++)
                    Assert.True(scores[j - 1] > scores[j] || (scores[j - 1] == scores[j] && items[j - 1] < items[j]),
                        $"row {r}: ({items[j - 1]}, {scores[j - 1]}) before ({items[j]}, {scores[j]})");
            }
        }, iter: 100);
    }

    [Fact]
    public void A_tie_goes_to_the_lower_item_index()
    {
        var gen = from dim in Gen.Int[1, 20]
                  from a in LocalizationCase.Row(dim, unit: true).Where(r => r.Any(x => x != 0))
                  from b in LocalizationCase.Row(dim, unit: true)
                  select (a, b);
        gen.CheckFixed(t =>
        {
            var (a, b) = t;
            // Items [b, a, b, a]; query a: a itself (indices 1 and 3) is the most similar.
            var items = LocalizationCase.ToMatrix([b, a, b, a], a.Length);
            var result = Run(LocalizationCase.ToMatrix([a], a.Length), items, new LocalizationOptions(2));
            Assert.Equal(result.TopScores(0)[0], result.TopScores(0)[1]);
            Assert.True(result.TopScores(0)[0] >= BruteForceLocalization.Similarities(a, [b])[0] - Tolerance);
            if (!a.SequenceEqual(b)) Assert.Equal([1, 3], result.TopItems(0).ToArray());
        }, iter: 50);
    }

    [Fact]
    public void Block_sizes_and_threads_change_nothing()
    {
        LocalizationCase.Generator().CheckFixed(c =>
        {
            var a = Run(c.QueryMatrix, c.ItemMatrix, c.Options);
            var b = Run(c.QueryMatrix, c.ItemMatrix, new LocalizationOptions(c.K, 96, 16, 1));
            Assert.Equal(a.TopItemIndices, b.TopItemIndices);
            Assert.Equal(a.TopSimilarities, b.TopSimilarities);
            Assert.Equal(a.Embeddings.Data, b.Embeddings.Data);
        }, iter: 50);
    }

    [Fact]
    public void Duplicate_query_rows_get_the_same_result_as_alone()
    {
        var gen = from c in LocalizationCase.Generator()
                  from picks in Gen.Int[0, c.Queries.Length - 1].Array[1, 30]
                  select c with { Queries = picks.Select(i => c.Queries[i]).ToArray() };
        gen.CheckFixed(c =>
        {
            var all = Run(c.QueryMatrix, c.ItemMatrix, c.Options);
            for (int r = 0; r < c.Queries.Length; r++)
            {
                var alone = Run(LocalizationCase.ToMatrix([c.Queries[r]], c.Dim), c.ItemMatrix, c.Options);
                Assert.Equal(alone.TopItems(0).ToArray(), all.TopItems(r).ToArray());
                Assert.Equal(alone.TopScores(0).ToArray(), all.TopScores(r).ToArray());
                Assert.Equal(alone.Embeddings.Row(0).ToArray(), all.Embeddings.Row(r).ToArray());
            }
        }, iter: 50);
    }

    [Fact]
    public void K0_keeps_the_raw_query_embeddings()
    {
        LocalizationCase.Generator().CheckFixed(c =>
        {
            var queries = c.QueryMatrix;
            var result = Run(queries, c.ItemMatrix, c.Options with { TopK = 0 });
            Assert.Equal(queries.Data, result.Embeddings.Data);
            Assert.Equal(0, result.K);
            Assert.Empty(result.TopItemIndices);
        }, iter: 20);
    }

    [Fact]
    public void Bad_inputs_are_error_values_that_say_what_is_wrong()
    {
        var items = LocalizationCase.ToMatrix([[1f, 0f, 0f], [0f, 1f, 0f]], 3);
        string Error(EmbeddingMatrix q, EmbeddingMatrix i, int k) =>
            IntentLocalization.Localize(q, i, k).Match(_ => "succeeded", e => e.Message);

        Assert.Contains("2 dims", Error(LocalizationCase.ToMatrix([[1f, 0f]], 2), items, 1));
        Assert.Contains("item embeddings have 3", Error(LocalizationCase.ToMatrix([[1f, 0f]], 2), items, 1));
        Assert.Contains("exceeds the 2 item", Error(LocalizationCase.ToMatrix([[1f, 0f, 0f]], 3), items, 3));
        Assert.Contains("0 or more", Error(LocalizationCase.ToMatrix([[1f, 0f, 0f]], 3), items, -1));
        Assert.Contains("query embedding row 1, dim 2 is NaN", Error(LocalizationCase.ToMatrix([[1f, 0f, 0f], [0f, 0f, float.NaN]], 3), items, 1));
        Assert.Contains("item embedding row 0, dim 0 is Infinity", Error(LocalizationCase.ToMatrix([[1f, 0f, 0f]], 3), LocalizationCase.ToMatrix([[float.PositiveInfinity, 0f, 0f]], 3), 1));
    }

    [Fact]
    public void Progress_counts_up_to_the_distinct_query_rows()
    {
        LocalizationCase.Generator().CheckFixed(c =>
        {
            var reports = new System.Collections.Concurrent.ConcurrentBag<int>();
            IntentLocalization.Localize(c.QueryMatrix, c.ItemMatrix, c.Options, new SynchronousProgress<int>(reports.Add));
            int distinct = c.Queries.Select(q => string.Join(",", q.Select(BitConverter.SingleToInt32Bits))).Distinct().Count();
            Assert.Equal(distinct, reports.Max());
        }, iter: 20);
    }
}
