using System.Numerics;

namespace Llm4Sbr.Core.Evaluation;

/// <summary>Rank of the target among all catalogue items, the shared definition every model uses.</summary>
public static class Ranking
{
    /// <summary>1-based rank of <paramref name="target"/> in <paramref name="scores"/>, counting
    /// every other candidate (indices from <paramref name="firstCandidate"/>, 1 by default because
    /// index 0 is the padding item) whose score is greater than <b>or equal to</b> the target's.
    /// Ties therefore never favour the target (pessimistic ranking): a model that gives many items
    /// the same score, like a popularity fallback, cannot win by the order of item ids.
    /// A NaN target score ranks last.</summary>
    public static int RankOf(ReadOnlySpan<float> scores, int target, int firstCandidate = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(target, firstCandidate);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(target, scores.Length);
        var candidates = scores[firstCandidate..];
        float t = scores[target];
        if (float.IsNaN(t)) return candidates.Length;
        int atLeast = 0, i = 0;
        if (Vector.IsHardwareAccelerated && candidates.Length >= Vector<float>.Count)
        {
            var tv = new Vector<float>(t);
            var counts = Vector<int>.Zero;
            for (; i <= candidates.Length - Vector<float>.Count; i += Vector<float>.Count)
                counts -= Vector.GreaterThanOrEqual(new Vector<float>(candidates[i..]), tv); // true lanes are -1
            atLeast = Vector.Sum(counts);
        }
        for (; i < candidates.Length; i++)
            if (candidates[i] >= t) atLeast++;
        // The target itself satisfies ">= t" exactly once, so atLeast already equals the rank.
        return atLeast;
    }
}
