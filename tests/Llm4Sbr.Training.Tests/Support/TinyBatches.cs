using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Models;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Tests.Support;

/// <summary>A fixed small batch in every format: sessions with repeats, self-loops, a length-1 prefix
/// and different lengths (so sequences are padded and graphs ragged).</summary>
public static class TinyBatches
{
    public const int Items = 9;
    public static readonly int[][] Prefixes = [[3, 5, 3, 7], [4, 4, 2], [9], [1, 2, 1, 2, 3, 8], [6, 6]];
    public static readonly int[] Targets = [2, 9, 1, 4, 6];

    public static PreparedSampleSet Set() =>
        new([.. Prefixes.Select((p, i) => new PreparedSample(i, i, [.. p], Targets[i], SessionGraph.Build(p)))]);

    /// <summary>Random view rows (fixed seed) for <paramref name="views"/>, dimension <paramref name="dim"/>.</summary>
    public static ViewTable Views(int dim, params string[] views)
    {
        var random = new Random(7);
        return new ViewTable([.. views], [.. views.Select(_ =>
        {
            var m = EmbeddingMatrix.Create(Prefixes.Length, dim);
            for (int i = 0; i < m.Data.Length; i++) m.Data[i] = (float)(random.NextDouble() * 2 - 1);
            return m;
        })]);
    }

    /// <summary>The batch of <paramref name="positions"/> as <paramref name="model"/> reads it.</summary>
    public static BatchTensors Batch(SessionModel model, ViewTable views, params int[] positions) =>
        BatchTensors.Create(Set(), views, positions.Length == 0 ? [.. Enumerable.Range(0, Prefixes.Length)] : positions, model.Input, CPU);
}
