namespace Llm4Sbr.Training.Batching;

/// <summary>One batch of padded item sequences in managed memory, row-major [Size, Length]:
/// <see cref="Rows"/> holds each click's row of the item table (dense index - 1) and 0 at padding,
/// <see cref="Mask"/> 1 at real clicks and 0 at padding (padding rows are never read unmasked: the
/// models mask them out, so their table row does not matter and gets no gradient),
/// <see cref="LastPositions"/> each row's column of its last real click, <see cref="LastRows"/> that
/// click's table row, <see cref="Lengths"/> each row's number of (kept) clicks. The real clicks are also
/// listed packed, row after row in click order: <see cref="PackedIndex"/> their place in the padded
/// [Size x Length] layout, <see cref="PackedColumns"/> their column, <see cref="LastPacked"/> each row's
/// last click in that list; models that work on real clicks only (SASRec's layers) use these.
/// Every sequence keeps its most recent <see cref="SequenceLayout.MaxLength"/> clicks; the batch is as
/// long as its longest (cut) sequence, not the maximum, so short batches cost less.</summary>
public sealed record SequenceBatch(int Size, int Length, long[] Rows, float[] Mask, long[] LastPositions, long[] LastRows,
    long[] Lengths, long[] PackedIndex, long[] PackedColumns, long[] LastPacked)
{
    /// <summary>Gathers the samples at <paramref name="positions"/> of <paramref name="set"/>. Pure.</summary>
    public static SequenceBatch Assemble(PreparedSampleSet set, ReadOnlySpan<int> positions, SequenceLayout layout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(layout.MaxLength, 1);
        int length = 1;
        foreach (int p in positions) length = Math.Max(length, Math.Min(set[p].Items.Length, layout.MaxLength));
        var rows = new long[positions.Length * length];
        var mask = new float[positions.Length * length];
        var lastPositions = new long[positions.Length];
        var lastRows = new long[positions.Length];
        var lengths = new long[positions.Length];
        int clicks = 0;
        foreach (int p in positions) clicks += Math.Min(set[p].Items.Length, layout.MaxLength);
        var packedIndex = new long[clicks];
        var packedColumns = new long[clicks];
        var lastPacked = new long[positions.Length];
        int packed = 0;
        for (int b = 0; b < positions.Length; b++)
        {
            var items = set[positions[b]].Items;
            int kept = Math.Min(items.Length, layout.MaxLength);
            int first = items.Length - kept;                        // the most recent clicks
            int offset = layout.Alignment == SequenceAlignment.Right ? 0 : length - kept;
            for (int i = 0; i < kept; i++)
            {
                rows[b * length + offset + i] = items[first + i] - 1;
                mask[b * length + offset + i] = 1;
                packedIndex[packed] = b * length + offset + i;
                packedColumns[packed++] = offset + i;
            }
            lastPositions[b] = offset + kept - 1;
            lastRows[b] = items[^1] - 1;
            lengths[b] = kept;
            lastPacked[b] = packed - 1;
        }
        return new SequenceBatch(positions.Length, length, rows, mask, lastPositions, lastRows, lengths, packedIndex, packedColumns, lastPacked);
    }
}
