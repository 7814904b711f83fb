using System.Numerics;
using Llm4Sbr.Core.Embeddings;

namespace Llm4Sbr.Core.Localization;

/// <summary>Item embeddings repacked for the similarity kernel: panels of <see cref="Width"/> items,
/// each stored dimension-major (<c>Dim</c> runs of <see cref="Width"/> floats), so the kernel reads a
/// panel sequentially and multiplies it by broadcast query elements (an outer-product GEMM, no
/// horizontal sums). The last panel is zero-padded past <see cref="Items"/>.</summary>
internal sealed class ItemPanels
{
    /// <summary>Two SIMD vectors per kernel row: 16 floats on AVX2, 8 on 128-bit SIMD.</summary>
    public static int Width => 2 * Vector<float>.Count;

    public required int Items { get; init; }
    public required int Dim { get; init; }
    public required int PanelCount { get; init; }
    public required float[] Data { get; init; }

    public int PanelLength => Dim * Width;

    public static ItemPanels Pack(EmbeddingMatrix items)
    {
        int width = Width;
        int panelCount = (items.Rows + width - 1) / width;
        var data = new float[checked(panelCount * items.Dim * width)];
        for (int p = 0; p < panelCount; p++)
        {
            var panel = data.AsSpan(p * items.Dim * width, items.Dim * width);
            int itemsInPanel = Math.Min(width, items.Rows - p * width);
            for (int j = 0; j < itemsInPanel; j++)
            {
                var row = items.Row(p * width + j);
                for (int d = 0; d < row.Length; d++) panel[d * width + j] = row[d];
            }
        }
        return new ItemPanels { Items = items.Rows, Dim = items.Dim, PanelCount = panelCount, Data = data };
    }
}
