using System.Collections.Immutable;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Evaluation;
using Xunit;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Tests.Evaluation;

public class LlmInferTests
{
    private static readonly ItemVocabulary Vocabulary = ItemVocabulary.FromIds([11, 12, 13, 14]);

    // Item title embeddings: unit axes, so a query's score for item k is its k-th coordinate.
    private static readonly ItemTextEmbeddings Items = new([14, 11, 13, 12], new EmbeddingMatrix(4, 4,
        [0, 0, 0, 1, /**/ 1, 0, 0, 0, /**/ 0, 0, 1, 0, /**/ 0, 1, 0, 0]));

    private static TrainingSplit Split(float[] longRows, float[] shortRows, params int[] targets)
    {
        var samples = targets.Select((t, i) => new Sample(i, i, SplitPart.Test, [11], t)).ToArray();
        var views = new[]
        {
            new SampleViewEmbeddings("long", [.. samples.Select(s => s.Id)], new EmbeddingMatrix(targets.Length, 4, longRows)),
            new SampleViewEmbeddings("short", [.. samples.Select(s => s.Id)], new EmbeddingMatrix(targets.Length, 4, shortRows)),
        };
        return TrainingData.Part(samples, Vocabulary, views).Match(s => s, e => throw new Exception(e.Message));
    }

    [Fact]
    public void Ranks_items_by_the_sum_of_normalised_views()
    {
        // Sample 0: long points at 13 (strongly), short at 12 (weakly, but normalised equal) -> tie 12/13, pessimistic.
        // Sample 1: long at 14, short at 14 -> 14 first.
        var split = Split([0, 0, 5, 0, /**/ 0, 0, 0, 1], [0, 0.1f, 0, 0, /**/ 0, 0, 0, 2], 13, 14);
        var result = LlmInfer.Evaluate(split, Vocabulary, Items, LlmInferOptions.Default, CPU).Match(r => r, e => throw new Exception(e.Message));
        Assert.Equal([2, 1], result.Ranks.ToArray());
        Assert.Equal((1 / 2.0 + 1) / 2, result.Metrics[5].Mrr, 9);

        var longOnly = LlmInfer.Evaluate(split, Vocabulary, Items, new LlmInferOptions(["long"]), CPU).Match(r => r, e => throw new Exception(e.Message));
        Assert.Equal([1, 1], longOnly.Ranks.ToArray());
    }

    /// <summary>An item without a title (Beauty has 7) has no text to match: it ranks below every titled
    /// item, also when its zero score would beat a titled item's negative one, and last when it is the target.</summary>
    [Fact]
    public void An_item_without_a_title_ranks_below_every_titled_item()
    {
        var untitled14 = new ItemTextEmbeddings([11, 12, 13], new EmbeddingMatrix(3, 4, [1, 0, 0, 0, /**/ 0, 1, 0, 0, /**/ 0, 0, 1, 0]));
        // Sample 0 points away from 13 (score -1 < 0, 14's would-be score), target 13: rank 3, not 4.
        // Sample 1 targets the untitled 14: rank 4 (last).
        var split = Split([1, 0, -1, 0, /**/ 1, 0, 0, 0], [1, 0, -1, 0, /**/ 1, 0, 0, 0], 13, 14);
        var result = LlmInfer.Evaluate(split, Vocabulary, untitled14, LlmInferOptions.Default, CPU).Match(r => r, e => throw new Exception(e.Message));
        Assert.Equal([3, 4], result.Ranks.ToArray());
    }

    [Fact]
    public void A_missing_view_is_an_error()
    {
        Assert.Contains("'normal'", LlmInfer.Evaluate(Split([1, 0, 0, 0], [1, 0, 0, 0], 12), Vocabulary, Items, new LlmInferOptions(["normal"]), CPU).Match(_ => "", e => e.Message));
    }
}
