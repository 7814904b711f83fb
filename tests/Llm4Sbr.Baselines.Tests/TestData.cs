using System.Collections.Immutable;
using CsCheck;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Evaluation;

namespace Llm4Sbr.Baselines.Tests;

internal static class TestData
{
    /// <summary>Training sessions in dense indices over <paramref name="size"/> slots.</summary>
    public static TrainingSessions Training(int size, params int[][] sessions) =>
        TrainingSessions.FromDense(sessions, size).ThrowIfFail();

    public static float[] Scores(ISessionScorer scorer, params int[] prefix)
    {
        var scores = new float[scorer.Size];
        Array.Fill(scores, float.NaN); // every slot must be overwritten
        scorer.Score(prefix, scores);
        return scores;
    }

    /// <summary>Slots 1.. ordered best first, equal scores by lower index.</summary>
    public static int[] Ranking(float[] scores) =>
        [.. Enumerable.Range(1, scores.Length - 1).OrderByDescending(i => scores[i]).ThenBy(i => i)];

    /// <summary>Random small catalogues: (size, sessions) with items in 1..size-1.</summary>
    public static readonly Gen<(int Size, int[][] Sessions)> Catalogue =
        from size in Gen.Int[3, 25]
        from sessions in Gen.Int[1, size - 1].Array[1, 7].Array[1, 40]
        select (size, sessions);

    /// <summary>Identity vocabulary: item id i has dense index i, for i in 1..size-1.</summary>
    public static ItemVocabulary Vocabulary(int size) => ItemVocabulary.FromIds(Enumerable.Range(1, size - 1));

    /// <summary>Every prefix of every session as a sample (item ids = dense indices).</summary>
    public static ImmutableArray<Sample> AllPrefixes(IEnumerable<int[]> sessions)
    {
        long id = 0;
        return [.. sessions.SelectMany((s, si) => Enumerable.Range(1, s.Length - 1)
            .Select(i => new Sample(id++, si, SplitPart.Test, [.. s[..i]], s[i])))];
    }
}
