using System.Collections.Immutable;
using CsCheck;
using Llm4Sbr.Core.Answers;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Core.Prompts;
using Llm4Sbr.Inference.Llm;
using Xunit;
using static Llm4Sbr.Inference.Tests.Llm.LlmTestKit;
using Llm4Sbr.Tests.Fakes;

namespace Llm4Sbr.Inference.Tests.Llm;

public class OfflineIntentEngineTests
{
    private static PromptRecord PromptOf(string view, params int[] clicks) =>
        new(1, view, [.. clicks], "unused", "hash");

    private static (int ItemId, string Title) PickOk(OfflineIntentEngine engine, PromptRecord prompt) =>
        engine.Pick(prompt).Match(p => p, e => throw new Xunit.Sdk.XunitException(e.Message));

    private static OfflineIntentEngine EngineOver(float[][] vectors)
    {
        var items = Enumerable.Range(1, vectors.Length).ToDictionary(i => i, i => new Item(i, $"title {i}", true));
        var matrix = new EmbeddingMatrix(vectors.Length, vectors[0].Length, vectors.SelectMany(v => v).ToArray());
        var titles = ItemTitleEmbeddings.ForRows(items, matrix, [.. Enumerable.Range(1, vectors.Length)])
            .Match(t => t, e => throw new Xunit.Sdk.XunitException(e.Message));
        return new OfflineIntentEngine(titles, Views.Builtin);
    }

    [Fact]
    public void Long_view_answers_the_title_of_the_item_most_similar_to_the_others()
    {
        // Item 3 lies between 1 and 2; item 4 points elsewhere.
        var engine = EngineOver([[1, 0, 0], [0, 1, 0], [0.7f, 0.7f, 0], [0, 0, 1]]);
        Assert.Equal((3, "title 3"), PickOk(engine, PromptOf("long", 1, 3, 2, 4)));
        Assert.Equal((3, "title 3"), PickOk(engine, PromptOf("long", 4, 2, 1, 3)));
    }

    [Fact]
    public void Ties_go_to_the_most_recent_click()
    {
        // Two clicks: each has the same mean cosine to the other.
        var engine = EngineOver([[1, 0], [0.6f, 0.8f], [1, 0]]);
        Assert.Equal(2, PickOk(engine, PromptOf("long", 1, 2)).ItemId);
        Assert.Equal(1, PickOk(engine, PromptOf("long", 2, 1)).ItemId);
        // Items 1 and 3 have identical embeddings (e.g. identical titles): the later one wins.
        Assert.Equal(3, PickOk(engine, PromptOf("long", 1, 3, 2)).ItemId);
        Assert.Equal(1, PickOk(engine, PromptOf("long", 3, 1, 2)).ItemId);
    }

    [Fact]
    public void Short_view_answers_the_last_click_and_normal_the_medoid_of_the_last_three()
    {
        var engine = EngineOver([[1, 0, 0], [0, 1, 0], [0.7f, 0.7f, 0], [0, 0, 1], [0, 0.2f, 1]]);
        var clicks = new[] { 3, 3, 1, 4, 2, 5 };
        Assert.Equal(5, PickOk(engine, PromptOf("short", clicks)).ItemId);
        Assert.Equal(PickOk(engine, PromptOf("long", clicks[^3..])), PickOk(engine, PromptOf("normal", clicks)));
        Assert.NotEqual(PickOk(engine, PromptOf("long", clicks)), PickOk(engine, PromptOf("normal", clicks)));
    }

    [Fact]
    public void A_single_click_is_its_own_answer_for_every_view()
    {
        var engine = Offline();
        foreach (var view in Views.Builtin)
            Assert.Equal(4, PickOk(engine, PromptOf(view.Name, 4)).ItemId);
    }

    [Fact]
    public void Missing_embeddings_unknown_views_and_unknown_items_are_errors_that_name_them()
    {
        var items = new Dictionary<int, Item> { [1] = new(1, "a", true), [2] = new(2, "b", true) };
        var titles = ItemTitleEmbeddings.Create(items, new EmbeddingMatrix(1, 2, [1, 0]), new Dictionary<int, int> { [1] = 0 })
            .Match(t => t, e => throw new Xunit.Sdk.XunitException(e.Message));
        var engine = new OfflineIntentEngine(titles, Views.Default);
        Assert.Contains("item 2 has no title embedding", engine.Pick(PromptOf("long", 1, 2)).Match(_ => "", e => e.Message));
        Assert.Contains("long, short", engine.Pick(PromptOf("weekend", 1)).Match(_ => "", e => e.Message));
        Assert.Contains("item 9", engine.Pick(PromptOf("short", 1, 9)).Match(_ => "", e => e.Message));
    }

    [Fact]
    public void Embedding_lookups_are_checked_when_built()
    {
        var matrix = new EmbeddingMatrix(2, 2, [1, 0, 0, 1]);
        var items = LlmTestKit.Items;
        Assert.Contains("two rows", ItemTitleEmbeddings.ForRows(items, matrix, [1, 1]).Match(_ => "", e => e.Message));
        Assert.Contains("3 item ids for 2 rows", ItemTitleEmbeddings.ForRows(items, matrix, [1, 2, 3]).Match(_ => "", e => e.Message));
        Assert.Contains("outside", ItemTitleEmbeddings.Create(items, matrix, new Dictionary<int, int> { [1] = 5 }).Match(_ => "", e => e.Message));
        var data = (float[])matrix.Data.Clone();
        ItemTitleEmbeddings.ForRows(items, new EmbeddingMatrix(2, 2, data) with { }, [1, 2]);
        Assert.Equal(matrix.Data, data);
    }

    [Fact]
    public async Task The_offline_engine_answers_every_prompt_in_order_labelled_offline()
    {
        var prompts = Prompts(10, Views.Long, Views.Short, Views.Normal);
        await using var engine = Offline();
        var run = Completed(await engine.AnswerAsync(prompts, null, Guard()));
        Assert.Equal(prompts.Select(p => (p.SampleId, p.View, p.Hash)), run.Answers.Select(a => (a.SampleId, a.View, a.PromptHash)));
        Assert.All(run.Answers, a =>
        {
            Assert.Equal("offline", a.Engine);
            Assert.Equal("offline", a.TextEngine);
            Assert.Equal(OfflineIntentEngine.ModelName, a.Model);
            Assert.Equal(AnswerStatus.Ok, a.Status);
            Assert.False(a.FellBackToOffline);
            Assert.Equal(LlmTestKit.Items[a.OfflineItemId!.Value].Title, a.Text);
        });
        Assert.All(prompts.Zip(run.Answers).Where(p => p.Item1.View == "short"), p => Assert.Equal(p.Item1.ItemIds[^1], p.Item2.OfflineItemId));
        Assert.Equal("offline", run.Stats.Engine);
        Assert.Null(run.Stats.Cache);
    }

    [Fact]
    public void Medoid_matches_a_brute_force_search_in_double_precision()
    {
        var gen = Gen.Select(
            Gen.Float[-1f, 1f].Array[6].Array[8],
            Gen.Int[1, 8].Array[1, 20]);
        gen.CheckFixed((vectors, clicks) =>
        {
            if (vectors.Any(v => v.All(x => x == 0))) return;
            var engine = EngineOver(vectors);
            var chosen = PickOk(engine, PromptOf("long", clicks)).ItemId;
            var scores = BruteForceMeanCosines(vectors, clicks);
            var position = Array.LastIndexOf(clicks, chosen);
            Assert.True(scores[position] >= scores.Max() - 1e-5, $"item {chosen} scores {scores[position]}, best {scores.Max()}");
            for (var later = position + 1; later < clicks.Length; later++)
                Assert.True(scores[later] < scores[position] + 1e-5 || clicks[later] == chosen, "a later click scores as high and was not chosen");
        }, iter: 300);
    }

    private static double[] BruteForceMeanCosines(float[][] vectors, int[] clicks)
    {
        double Cos(float[] a, float[] b)
        {
            double dot = 0, na = 0, nb = 0;
            for (var i = 0; i < a.Length; i++) { dot += a[i] * (double)b[i]; na += a[i] * (double)a[i]; nb += b[i] * (double)b[i]; }
            return dot / Math.Sqrt(na * nb);
        }
        var n = clicks.Length;
        return [.. Enumerable.Range(0, n).Select(i => n == 1 ? 0 : Enumerable.Range(0, n).Where(j => j != i).Average(j => Cos(vectors[clicks[i] - 1], vectors[clicks[j] - 1])))];
    }
}
