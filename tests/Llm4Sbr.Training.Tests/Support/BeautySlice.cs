using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Core.Evaluation;
using Llm4Sbr.Training.Batching;

namespace Llm4Sbr.Training.Tests.Support;

/// <summary>Small slices of Beauty shared by the training tests (loaded once per test run).</summary>
public static class BeautySlice
{
    private static readonly Lazy<BeautySamples.Prepared> Small = new(() => BeautySamples.Load(maxSessions: 300));
    private static readonly Lazy<BeautySamples.Prepared> Medium = new(() => BeautySamples.Load(maxSessions: 2000));

    public static BeautySamples.Prepared Load(bool medium = false) => medium ? Medium.Value : Small.Value;

    public static TrainingData Data(BeautySamples.Prepared slice, IReadOnlyList<SampleViewEmbeddings>? views = null, double validation = 0.1) =>
        TrainingData.Build(slice.Train, slice.Test, slice.Vocabulary, views ?? [], new ValidationOptions(validation, 5))
            .Match(d => d, e => throw new InvalidOperationException(e.Message));

    /// <summary>Random view embeddings for every sample (fixed seed): enough to exercise the LLM4SBR path.</summary>
    public static IReadOnlyList<SampleViewEmbeddings> RandomViews(BeautySamples.Prepared slice, int dim, params string[] views)
    {
        var samples = slice.Train.Concat(slice.Test).ToArray();
        return [.. views.Select((view, v) =>
        {
            var random = new Random(100 + v);
            var matrix = EmbeddingMatrix.Create(samples.Length, dim);
            for (int i = 0; i < matrix.Data.Length; i++) matrix.Data[i] = (float)(random.NextDouble() * 2 - 1);
            return new SampleViewEmbeddings(view, [.. samples.Select(s => s.Id)], matrix);
        })];
    }

    /// <summary>Most-clicked-in-training baseline, ranked with the shared pessimistic rule.</summary>
    public static RankingMetrics Popularity(BeautySamples.Prepared slice)
    {
        var scores = new float[slice.Vocabulary.Size];
        scores[0] = float.NegativeInfinity;
        foreach (var sample in slice.Train.Where(s => s.Prefix.Length == 1))
        {
            scores[slice.Vocabulary.IndexOf(sample.Prefix[0])]++;   // first click of each training session
        }
        foreach (var sample in slice.Train) scores[slice.Vocabulary.IndexOf(sample.Target)]++; // and every later click
        return MetricsAccumulator.FromRanks(slice.Test.Select(s => Ranking.RankOf(scores, slice.Vocabulary.IndexOf(s.Target))));
    }
}
