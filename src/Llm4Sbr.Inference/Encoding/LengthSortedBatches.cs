namespace Llm4Sbr.Inference.Encoding;

/// <summary>Groups sequences into batches of similar length, so each batch is padded only to its own
/// longest member: sorted by length (ties by position, so the plan is deterministic), then cut into
/// runs of at most <c>batchSize</c>.</summary>
internal static class LengthSortedBatches
{
    public static int[][] Plan(IReadOnlyList<int> lengths, int batchSize)
    {
        var order = Enumerable.Range(0, lengths.Count).OrderBy(i => lengths[i]).ThenBy(i => i).ToArray();
        return order.Chunk(batchSize).ToArray();
    }
}
