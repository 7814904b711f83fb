using Llm4Sbr.Core.Embeddings;

namespace Llm4Sbr.Core.Localization;

/// <summary>The output of intent localization for one set of query rows (one view's answers).
/// Row <c>r</c> of <see cref="Embeddings"/> is the localized embedding of query row <c>r</c>;
/// <see cref="TopItemIndices"/> and <see cref="TopSimilarities"/> hold, per row, the <see cref="K"/>
/// item rows it was pulled onto (row-major, <c>Rows * K</c> entries), sorted by similarity
/// descending with ties broken by the lower item index. With <c>K = 0</c> both are empty and
/// <see cref="Embeddings"/> is the raw query matrix.</summary>
public sealed record LocalizedIntents(EmbeddingMatrix Embeddings, int K, int[] TopItemIndices, float[] TopSimilarities)
{
    public int Rows => Embeddings.Rows;

    /// <summary>Indices (rows of the item matrix) of the top-k items of query row <paramref name="row"/>.</summary>
    public ReadOnlySpan<int> TopItems(int row) => TopItemIndices.AsSpan(row * K, K);

    /// <summary>Cosine similarities of the top-k items of query row <paramref name="row"/>, descending.</summary>
    public ReadOnlySpan<float> TopScores(int row) => TopSimilarities.AsSpan(row * K, K);
}
