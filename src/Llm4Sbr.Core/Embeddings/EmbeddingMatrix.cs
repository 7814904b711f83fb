namespace Llm4Sbr.Core.Embeddings;

/// <summary>Row-major dense matrix of embeddings: row <c>i</c> is <c>Data[i*Dim .. (i+1)*Dim)</c>.
/// Treated as immutable once built (the array is never written after construction).</summary>
public sealed record EmbeddingMatrix(int Rows, int Dim, float[] Data)
{
    public ReadOnlySpan<float> Row(int i) => Data.AsSpan(i * Dim, Dim);

    public static EmbeddingMatrix Create(int rows, int dim)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        return new EmbeddingMatrix(rows, dim, new float[checked(rows * dim)]);
    }
}
