namespace Llm4Sbr.Inference.Encoding;

/// <summary>Groups sequences into batches of similar length, so each batch is padded only to its own
/// longest member: sorted by length (ties by position, so the plan is deterministic), then cut into
/// runs of at most <c>maxRows</c> sequences and at most <c>maxTokens</c> padded tokens (rows times the
/// longest length); a sequence longer than <c>maxTokens</c> forms a batch of its own.</summary>
internal static class LengthSortedBatches
{
    public static int[][] Plan(IReadOnlyList<int> lengths, int maxRows, int maxTokens)
    {
        var order = Enumerable.Range(0, lengths.Count).OrderBy(i => lengths[i]).ThenBy(i => i).ToArray();
        var batches = new List<int[]>();
        int start = 0;
        for (int i = 0; i < order.Length; i++)
        {
            int rows = i - start + 1;
            // Ascending order: the newest member is the longest, so it sets the padded width.
            bool full = rows > maxRows || (rows > 1 && (long)rows * lengths[order[i]] > maxTokens);
            if (full)
            {
                batches.Add(order[start..i]);
                start = i;
            }
        }
        if (start < order.Length) batches.Add(order[start..]);
        return [.. batches];
    }
}
