using System.Numerics.Tensors;
using Llm4Sbr.Core.Answers;
using Llm4Sbr.Engine.Dataflow;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Inference.Llm;
using Llm4Sbr.Stages.Intent.Embed;
using Llm4Sbr.Stages.Intent.Infer;
using Llm4Sbr.Stages.Intent.Localize;
using Llm4Sbr.Stages.Intent.Prompts;
using Llm4Sbr.Stages.Intent.Titles;
using Llm4Sbr.Stages.Tests.Intent.Support;
using Xunit.Abstractions;

namespace Llm4Sbr.Stages.Tests.Intent;

/// <summary>The intent stages end to end on the bundled MovieLens-small data (offline engine, real MiniLM).</summary>
[Collection(MovieLensIntentCollection.Name)]
public sealed class IntentPipelineTests(MovieLensIntentRun run, ITestOutputHelper output)
{
    static readonly string[] IntentStages = [TitlesStage.Name, PromptsStage.Name, InferStage.Name, EmbedStage.Name, LocalizeStage.Name];

    int SampleCount => run.Samples.Train.Length + run.Samples.Test.Length;

    [Fact]
    public void A_cold_run_computes_every_stage_with_one_prompt_answer_and_embedding_per_sample_and_view()
    {
        foreach (var stage in run.Cold.Stages)
            output.WriteLine($"{stage.Name}: {stage.Status} in {stage.Seconds:F2} s, rows {string.Join(", ", stage.Rows.Select(r => $"{r.Key} {r.Value}"))}");
        Assert.All(run.Cold.Stages, s => Assert.Equal(StageStatus.Computed, s.Status));
        string[] all = ["load", "sessions", "split", "samples", .. IntentStages];
        Assert.Equal(all.Order(), run.Cold.Stages.Select(s => s.Name).Order());
        Assert.InRange(SampleCount, 100, 100_000);
        var expectedPairs = run.Samples.Train.Concat(run.Samples.Test)
            .SelectMany(s => new[] { (s.Id, "long"), (s.Id, "short") }).ToHashSet();

        Assert.Equal(["long", "short"], run.Prompts.ViewNames.ToArray());
        Assert.Equal(2 * SampleCount, run.Prompts.Prompts.Length);
        Assert.Equal(expectedPairs, run.Prompts.Prompts.Select(p => (p.SampleId, p.View)).ToHashSet());
        Assert.Equal(2 * SampleCount, run.Answers.Answers.Length);
        Assert.Equal(expectedPairs, run.Answers.Answers.Select(a => (a.SampleId, a.View)).ToHashSet());
        Assert.Equal(2 * SampleCount, run.Embeddings.Rows.Length);
        Assert.Equal(2 * SampleCount, (int)run.Cold[LocalizeStage.Name].Rows["rows"]);
        Assert.Equal(SampleCount, run.Localized.Count);
        Assert.Equal(run.Samples.Train.Concat(run.Samples.Test).Select(s => s.Id).Order(), run.Localized.SampleIds.ToArray());
        // Titles: the catalogue's items that occur in a session, in catalogue order.
        var inSessions = run.Sessions.Sessions.SelectMany(s => s.Items).ToHashSet();
        Assert.Equal(run.Loaded.Items.Where(i => inSessions.Contains(i.Id)), run.Titles.Items.ToArray());
        Assert.Equal(384, run.Titles.Dim);
    }

    [Fact]
    public void Offline_answers_are_labelled_offline_and_follow_each_views_rule()
    {
        var titles = run.Loaded.Items.ToDictionary(i => i.Id, i => i.Title);
        var prompts = run.Prompts.Prompts.ToDictionary(p => (p.SampleId, p.View));
        var rowOf = run.Titles.Items.Select((it, r) => (it.Id, r)).ToDictionary(p => p.Id, p => p.r);
        foreach (var answer in run.Answers.Answers)
        {
            Assert.Equal((OfflineIntentEngine.EngineName, OfflineIntentEngine.ModelName, OfflineIntentEngine.EngineName), (answer.Engine, answer.Model, answer.TextEngine));
            Assert.Equal(AnswerStatus.Ok, answer.Status);
            Assert.False(answer.FellBackToOffline);
            var shown = prompts[(answer.SampleId, answer.View)].ItemIds;
            Assert.NotNull(answer.OfflineItemId);
            Assert.Equal(titles[answer.OfflineItemId!.Value], answer.Text);
            if (answer.View == "short")
                Assert.Equal(shown[^1], answer.OfflineItemId);
            else
            {
                var best = shown.Max(i => MedoidScore(shown, i, rowOf));
                var chosen = MedoidScore(shown, answer.OfflineItemId.Value, rowOf);
                Assert.True(best - chosen < 1e-4, $"sample {answer.SampleId}: the long answer scores {chosen}, the medoid {best}");
            }
        }
    }

    // Summed cosine of an item's title embedding to the other clicks' (over click positions), by brute force.
    double MedoidScore(IReadOnlyList<int> clicks, int item, Dictionary<int, int> rowOf)
    {
        var self = run.Titles.Embeddings.Row(rowOf[item]);
        var skipped = false;
        double sum = 0;
        foreach (var other in clicks)
        {
            if (other == item && !skipped) { skipped = true; continue; }
            var o = run.Titles.Embeddings.Row(rowOf[other]);
            sum += TensorPrimitives.CosineSimilarity(self, o);
        }
        return sum;
    }

    [Fact]
    public void Answers_are_embedded_with_the_title_encoder_and_identical_texts_share_one_vector()
    {
        Assert.Equal(run.Titles.ModelId, run.Embeddings.ModelId);
        Assert.Equal(run.Embeddings.Texts.Length, run.Embeddings.Texts.Distinct().Count());
        Assert.Equal(run.Answers.Answers.Select(a => a.Text).Distinct().Count(), run.Embeddings.Texts.Length);
        var titleRow = run.Titles.Items.Select((it, r) => (it.Id, r)).ToDictionary(p => p.Id, p => p.r);
        var answers = run.Answers.Answers.ToDictionary(a => (a.SampleId, a.View));
        foreach (var row in run.Embeddings.Rows)
        {
            var answer = answers[(row.SampleId, row.View)];
            Assert.Equal(answer.Text, run.Embeddings.Texts[row.Vector]);
            // An offline answer is a title: its embedding is that title's embedding.
            var title = run.Titles.Embeddings.Row(titleRow[answer.OfflineItemId!.Value]);
            Assert.True(TensorPrimitives.Distance(title, run.Embeddings.Vectors.Row(row.Vector)) < 1e-5f);
        }
    }

    [Fact]
    public void Localized_intents_are_similarity_weighted_sums_of_real_titled_items_with_sorted_similarities()
    {
        var localized = run.Localized;
        Assert.Equal(3, localized.K);
        Assert.Equal(["long", "short"], localized.Views.ToArray());
        var titled = run.Titles.Items.Select((it, r) => (it, r)).Where(p => p.it.HasTitle).ToDictionary(p => p.it.Id, p => p.r);
        for (var v = 0; v < localized.Vectors.Rows; v++)
        {
            var ids = localized.TopItemIds.AsSpan().Slice(v * 3, 3).ToArray();
            var sims = localized.TopSimilarities.AsSpan().Slice(v * 3, 3).ToArray();
            Assert.All(ids, id => Assert.True(titled.ContainsKey(id), $"item {id} is not a titled catalogue item"));
            Assert.Equal(3, ids.Distinct().Count());
            Assert.True(sims[0] >= sims[1] && sims[1] >= sims[2], $"similarities {string.Join(", ", sims)} are not sorted");
            Assert.InRange(sims[0], 0.999f, 1.0001f); // the answer is a title: it is its own nearest item
            var expected = new float[localized.Dim];
            for (var j = 0; j < 3; j++)
            {
                var title = run.Titles.Embeddings.Row(titled[ids[j]]);
                Assert.True(Math.Abs(TensorPrimitives.CosineSimilarity(title, Query(v)) - sims[j]) < 1e-4f, $"vector {v}: similarity {sims[j]} of item {ids[j]} is not its cosine");
                TensorPrimitives.MultiplyAdd(title, sims[j] / TensorPrimitives.Norm(title), expected, expected);
            }
            Assert.True(TensorPrimitives.Distance(expected, localized.Vectors.Row(v)) < 1e-4f);
        }
    }

    // The answer embedding a localized vector came from: localize keeps embed's vector numbering.
    ReadOnlySpan<float> Query(int vector) => run.Embeddings.Vectors.Row(vector);

    [Fact]
    public void The_output_for_training_gives_each_view_as_a_matrix_ordered_by_sample_id()
    {
        var localized = run.Localized;
        var matrix = localized.Matrix("short").Value();
        Assert.Equal((localized.Count, 384), (matrix.Rows, matrix.Dim));
        var vectorOf = run.Embeddings.Rows.Where(r => r.View == "short").ToDictionary(r => r.SampleId, r => r.Vector);
        for (var row = 0; row < localized.Count; row++)
        {
            var sampleId = localized.SampleIds[row];
            Assert.Equal(row, localized.RowOf(sampleId).Value());
            Assert.True(matrix.Row(row).SequenceEqual(localized.Vectors.Row(vectorOf[sampleId])));
        }
        var missing = localized.Matrix("seasonal");
        Assert.True(missing.IsFail);
        Assert.Contains("no view 'seasonal'; views: long, short", missing.Match(_ => "", e => e.Message));
        Assert.True(localized.RowOf(-5).IsFail);
    }

    [Fact]
    public async Task A_second_run_takes_every_stage_from_the_cache_and_reads_back_the_same_outputs()
    {
        var again = await run.Workspace.RunAsync(MovieLensIntentRun.Pipeline);

        again.Succeeded();
        Assert.All(again.Stages, s => Assert.Equal(StageStatus.Cached, s.Status));
        var localized = await again.Output<ViewEmbeddings>(LocalizeStage.Name);
        Assert.Equal(run.Localized.SampleIds.ToArray(), localized.SampleIds.ToArray());
        Assert.Equal(run.Localized.Views.ToArray(), localized.Views.ToArray());
        Assert.Equal(run.Localized.VectorIds.SelectMany(v => v), localized.VectorIds.SelectMany(v => v));
        Assert.Equal(run.Localized.Vectors.Data, localized.Vectors.Data);
        Assert.Equal(run.Localized.TopItemIds.ToArray(), localized.TopItemIds.ToArray());
        Assert.Equal(run.Localized.TopSimilarities.ToArray(), localized.TopSimilarities.ToArray());
        var answers = await again.Output<AnswerSet>(InferStage.Name);
        Assert.Equal(run.Answers.Answers.ToArray(), answers.Answers.ToArray());
        var prompts = await again.Output<PromptSet>(PromptsStage.Name);
        Assert.Equal(run.Prompts.Prompts.Select(p => (p.SampleId, p.View, p.Text, p.Hash, string.Join(',', p.ItemIds))),
            prompts.Prompts.Select(p => (p.SampleId, p.View, p.Text, p.Hash, string.Join(',', p.ItemIds))));
        Assert.Equal(run.Prompts.Views.ToArray(), prompts.Views.ToArray());
        var titles = await again.Output<TitleEmbeddings>(TitlesStage.Name);
        Assert.Equal(run.Titles.Embeddings.Data, titles.Embeddings.Data);
    }

    [Fact]
    public async Task Changing_k_reruns_localize_only()
    {
        var k1 = await run.Workspace.RunAsync(MovieLensIntentRun.Pipeline, PipelineOverrides.None.Set("localize.k", "1"));

        k1.Succeeded();
        Assert.All(k1.Stages, s => Assert.Equal(s.Name == LocalizeStage.Name ? StageStatus.Computed : StageStatus.Cached, s.Status));
        var localized = await k1.Output<ViewEmbeddings>(LocalizeStage.Name);
        Assert.Equal(1, localized.K);
        var titleRow = run.Titles.Items.Select((it, r) => (it.Id, r)).ToDictionary(p => p.Id, p => p.r);
        for (var v = 0; v < localized.Vectors.Rows; v++)
        {
            Assert.Equal(run.Localized.TopItemIds[v * 3], localized.TopItemIds[v]);
            // k = 1: the nearest item's (unit) embedding scaled by its similarity.
            var nearest = run.Titles.Embeddings.Row(titleRow[localized.TopItemIds[v]]);
            var expected = new float[localized.Dim];
            TensorPrimitives.Multiply(nearest, localized.TopSimilarities[v] / TensorPrimitives.Norm(nearest), expected);
            Assert.True(TensorPrimitives.Distance(expected, localized.Vectors.Row(v)) < 1e-5f);
        }

        var k0 = await run.Workspace.RunAsync(MovieLensIntentRun.Pipeline, PipelineOverrides.None.Set("localize.k", "0"));
        k0.Succeeded();
        Assert.Equal(StageStatus.Computed, k0[LocalizeStage.Name].Status);
        var raw = await k0.Output<ViewEmbeddings>(LocalizeStage.Name);
        Assert.Equal(run.Embeddings.Vectors.Data, raw.Vectors.Data); // k = 0 keeps the raw answer embeddings
        Assert.Empty(raw.TopItemIds);
    }
}
