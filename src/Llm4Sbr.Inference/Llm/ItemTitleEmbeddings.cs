using System.Collections.Immutable;
using System.Numerics.Tensors;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Embeddings;

namespace Llm4Sbr.Inference.Llm;

/// <summary>What the offline engine needs: the catalogue (for titles) and the item-title embeddings, with
/// the row of each item in <see cref="Matrix"/>. Rows are L2-normalised into a private copy once, so a
/// cosine is a dot product; the input matrix is not changed.</summary>
public sealed class ItemTitleEmbeddings
{
    private readonly float[] _unit;

    private ItemTitleEmbeddings(IReadOnlyDictionary<int, Item> items, EmbeddingMatrix matrix, IReadOnlyDictionary<int, int> rowByItemId, float[] unit)
    {
        Items = items;
        Matrix = matrix;
        RowByItemId = rowByItemId;
        _unit = unit;
    }

    public IReadOnlyDictionary<int, Item> Items { get; }
    public EmbeddingMatrix Matrix { get; }
    public IReadOnlyDictionary<int, int> RowByItemId { get; }
    public int Dim => Matrix.Dim;

    /// <summary>Checks that every row index is inside the matrix and the data has Rows x Dim floats.</summary>
    public static Fin<ItemTitleEmbeddings> Create(IReadOnlyDictionary<int, Item> items, EmbeddingMatrix matrix, IReadOnlyDictionary<int, int> rowByItemId)
    {
        if (matrix.Data.Length != (long)matrix.Rows * matrix.Dim)
            return Error.New($"title embeddings: data holds {matrix.Data.Length} floats, expected {matrix.Rows} rows x {matrix.Dim}");
        foreach (var (item, row) in rowByItemId)
            if (row < 0 || row >= matrix.Rows)
                return Error.New($"title embeddings: item {item} maps to row {row}, outside 0..{matrix.Rows - 1}");
        var unit = (float[])matrix.Data.Clone();
        for (var r = 0; r < matrix.Rows; r++)
        {
            var span = unit.AsSpan(r * matrix.Dim, matrix.Dim);
            // The norm in double: squares of tiny float components would underflow to zero.
            double squares = 0;
            foreach (var x in span) squares += (double)x * x;
            if (squares > 0)
                for (var k = 0; k < span.Length; k++) span[k] = (float)(span[k] / Math.Sqrt(squares));
        }
        return new ItemTitleEmbeddings(items, matrix, rowByItemId, unit);
    }

    /// <summary>Row i of the matrix belongs to <paramref name="itemIdByRow"/>[i] (e.g. an encoder output in catalogue order).</summary>
    public static Fin<ItemTitleEmbeddings> ForRows(IReadOnlyDictionary<int, Item> items, EmbeddingMatrix matrix, ImmutableArray<int> itemIdByRow)
    {
        if (itemIdByRow.Length != matrix.Rows)
            return Error.New($"title embeddings: {itemIdByRow.Length} item ids for {matrix.Rows} rows");
        var rows = new Dictionary<int, int>(itemIdByRow.Length);
        for (var r = 0; r < itemIdByRow.Length; r++)
            if (!rows.TryAdd(itemIdByRow[r], r))
                return Error.New($"title embeddings: item {itemIdByRow[r]} has two rows ({rows[itemIdByRow[r]]} and {r})");
        return Create(items, matrix, rows);
    }

    internal bool TryUnitRow(int itemId, out ReadOnlySpan<float> row)
    {
        if (RowByItemId.TryGetValue(itemId, out var r))
        {
            row = _unit.AsSpan(r * Matrix.Dim, Matrix.Dim);
            return true;
        }
        row = default;
        return false;
    }
}
