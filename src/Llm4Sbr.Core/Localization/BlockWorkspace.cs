using Llm4Sbr.Core.Embeddings;

namespace Llm4Sbr.Core.Localization;

/// <summary>One worker's buffers for scoring a block of query rows against all items, tile by tile:
/// the block's (unit-norm) query rows, a similarity tile, and each row's top-k heap. Memory is
/// bounded by the block and tile sizes, never by the item or query count.</summary>
internal sealed class BlockWorkspace
{
    private readonly int _dim;
    private readonly int _tilePanels;
    private readonly int _tileStride;
    private readonly float[] _query;
    private readonly float[] _tile;
    private readonly float[] _heapScores;
    private readonly int[] _heapIndices;
    private readonly int[] _heapCounts;
    private int _k;

    public BlockWorkspace(LocalizationOptions options, int dim)
    {
        _dim = dim;
        _tilePanels = options.ItemTilePanels;
        _tileStride = options.ItemTilePanels * ItemPanels.Width;
        _query = new float[options.QueryBlockRows * dim];
        _tile = new float[options.QueryBlockRows * _tileStride];
        _heapScores = new float[options.QueryBlockRows * options.TopK];
        _heapIndices = new int[options.QueryBlockRows * options.TopK];
        _heapCounts = new int[options.QueryBlockRows];
    }

    public Span<float> Scores(int row, int k) => _heapScores.AsSpan(row * k, k);

    public Span<int> Indices(int row, int k) => _heapIndices.AsSpan(row * k, k);

    /// <summary>Fills the top-k heaps of the query rows <paramref name="rows"/> (row numbers of
    /// <paramref name="queries"/>) against every item of <paramref name="panels"/>.</summary>
    public void ScoreBlock(EmbeddingMatrix queries, ReadOnlySpan<int> rows, ItemPanels panels, int k)
    {
        _k = k;
        int count = rows.Length;
        GatherUnitRows(queries, rows);
        Array.Clear(_heapCounts, 0, count);
        int width = ItemPanels.Width;
        for (int firstPanel = 0; firstPanel < panels.PanelCount; firstPanel += _tilePanels)
        {
            int tilePanels = Math.Min(_tilePanels, panels.PanelCount - firstPanel);
            for (int p = 0; p < tilePanels; p++)
            {
                var panel = panels.Data.AsSpan((firstPanel + p) * panels.PanelLength, panels.PanelLength);
                int r = 0;
                for (; r + SimilarityKernel.RowsPerKernel <= count; r += SimilarityKernel.RowsPerKernel)
                    SimilarityKernel.SixRows(_query.AsSpan(r * _dim), _dim, panel, _tile.AsSpan(r * _tileStride + p * width), _tileStride);
                for (; r < count; r++)
                    SimilarityKernel.OneRow(_query.AsSpan(r * _dim, _dim), _dim, panel, _tile.AsSpan(r * _tileStride + p * width, width));
            }
            int firstItem = firstPanel * width;
            int columns = Math.Min(tilePanels * width, panels.Items - firstItem);
            for (int r = 0; r < count; r++) Select(r, _tile.AsSpan(r * _tileStride, columns), firstItem);
        }
    }

    private void Select(int row, ReadOnlySpan<float> similarities, int firstItem)
    {
        var heap = new TopKSelection(Scores(row, _k), Indices(row, _k), _heapCounts[row]);
        float threshold = heap.Threshold;
        for (int j = 0; j < similarities.Length; j++)
        {
            // Cheap rejection first: most items score below the current k-th best.
            if (similarities[j] < threshold) continue;
            heap.Offer(similarities[j], firstItem + j);
            threshold = heap.Threshold;
        }
        _heapCounts[row] = heap.Count;
    }

    private void GatherUnitRows(EmbeddingMatrix queries, ReadOnlySpan<int> rows)
    {
        for (int r = 0; r < rows.Length; r++)
        {
            var source = queries.Row(rows[r]);
            var target = _query.AsSpan(r * _dim, _dim);
            float norm = MathF.Sqrt(RowNorms.SquaredNorm(source));
            if (MathF.Abs(norm - 1f) <= RowNorms.UnitTolerance) source.CopyTo(target);
            else if (norm > 0f) RowNorms.Scale(source, 1f / norm, target);
            else target.Clear();
        }
    }
}
