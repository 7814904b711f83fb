namespace Llm4Sbr.Core.Evaluation;

/// <summary>The k best slots of a score vector, for <c>recommend</c>.</summary>
public static class TopK
{
    /// <summary>Indices of the <paramref name="k"/> highest scores among slots
    /// <paramref name="firstCandidate"/>.. (1 by default: slot 0 is padding), best first. Equal
    /// scores order by lower index; NaN scores rank below every number. Returns fewer than k
    /// indices only when there are fewer candidates. O(n log k).</summary>
    public static int[] Indices(ReadOnlySpan<float> scores, int k, int firstCandidate = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(firstCandidate);
        int take = Math.Min(k, Math.Max(0, scores.Length - firstCandidate));
        if (take == 0) return [];

        // Min-heap on "goodness": the root is the worst of the best `take` seen so far.
        var heap = new PriorityQueue<int, (float Score, int Index)>(take, WorstFirst.Instance);
        for (int i = firstCandidate; i < scores.Length; i++)
        {
            var key = (scores[i], i);
            if (heap.Count < take) heap.Enqueue(i, key);
            else if (heap.TryPeek(out _, out var worst) && WorstFirst.Instance.Compare(key, worst) > 0)
                heap.EnqueueDequeue(i, key);
        }
        var result = new int[heap.Count];
        for (int r = result.Length - 1; r >= 0; r--) result[r] = heap.Dequeue();
        return result;
    }

    /// <summary>Orders (score, index) from worst to best: lower score is worse (NaN worst), and
    /// among equal scores the higher index is worse.</summary>
    private sealed class WorstFirst : IComparer<(float Score, int Index)>
    {
        public static readonly WorstFirst Instance = new();

        public int Compare((float Score, int Index) a, (float Score, int Index) b)
        {
            bool aNan = float.IsNaN(a.Score), bNan = float.IsNaN(b.Score);
            if (aNan != bNan) return aNan ? -1 : 1;
            if (!aNan && a.Score != b.Score) return a.Score < b.Score ? -1 : 1;
            return b.Index.CompareTo(a.Index);
        }
    }
}
