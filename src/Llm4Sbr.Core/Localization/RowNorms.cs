using System.Numerics;
using System.Runtime.InteropServices;
using Llm4Sbr.Core.Embeddings;

namespace Llm4Sbr.Core.Localization;

/// <summary>Row norms and defensive L2 normalisation of embedding matrices.</summary>
public static class RowNorms
{
    /// <summary>How far a row's L2 norm may be from 1 and still count as unit-norm: encoders emit
    /// float32 vectors normalised to within ~1e-6; anything further off was not normalised.</summary>
    public const float UnitTolerance = 1e-5f;

    /// <summary>Squared L2 norm of a vector (vectorised; non-finite when an element is).</summary>
    public static float SquaredNorm(ReadOnlySpan<float> row)
    {
        var acc = Vector<float>.Zero;
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(row);
        foreach (var v in vectors) acc = Vector.FusedMultiplyAdd(v, v, acc);
        float sum = Vector.Sum(acc);
        for (int i = vectors.Length * Vector<float>.Count; i < row.Length; i++) sum = MathF.FusedMultiplyAdd(row[i], row[i], sum);
        return sum;
    }

    /// <summary>True when every row has an L2 norm within <see cref="UnitTolerance"/> of 1.</summary>
    public static bool AllUnitNorm(EmbeddingMatrix m)
    {
        for (int r = 0; r < m.Rows; r++)
        {
            float norm = MathF.Sqrt(SquaredNorm(m.Row(r)));
            if (!(MathF.Abs(norm - 1f) <= UnitTolerance)) return false;
        }
        return true;
    }

    /// <summary>The matrix itself when all rows are unit-norm already, else a copy with every row
    /// scaled to unit norm (all-zero rows stay zero: they have no direction).</summary>
    public static EmbeddingMatrix EnsureUnitRows(EmbeddingMatrix m)
    {
        if (AllUnitNorm(m)) return m;
        var data = new float[m.Data.Length];
        for (int r = 0; r < m.Rows; r++)
        {
            var src = m.Row(r);
            var dst = data.AsSpan(r * m.Dim, m.Dim);
            float norm = MathF.Sqrt(SquaredNorm(src));
            if (norm > 0f) Scale(src, 1f / norm, dst);
        }
        return new EmbeddingMatrix(m.Rows, m.Dim, data);
    }

    /// <summary>First non-finite element as (row, column), if any.</summary>
    public static (int Row, int Column)? FirstNonFinite(EmbeddingMatrix m)
    {
        for (int r = 0; r < m.Rows; r++)
        {
            var row = m.Row(r);
            // x * 0 is NaN exactly when x is NaN or infinite, so one vectorised sum screens a row.
            var acc = Vector<float>.Zero;
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(row);
            foreach (var v in vectors) acc += v * Vector<float>.Zero;
            float screen = Vector.Sum(acc);
            for (int i = vectors.Length * Vector<float>.Count; i < row.Length; i++) screen += row[i] * 0f;
            if (float.IsNaN(screen))
                for (int c = 0; c < row.Length; c++)
                    if (!float.IsFinite(row[c])) return (r, c);
        }
        return null;
    }

    internal static void Scale(ReadOnlySpan<float> src, float factor, Span<float> dst)
    {
        var f = new Vector<float>(factor);
        var s = MemoryMarshal.Cast<float, Vector<float>>(src);
        var d = MemoryMarshal.Cast<float, Vector<float>>(dst);
        for (int i = 0; i < s.Length; i++) d[i] = s[i] * f;
        for (int i = s.Length * Vector<float>.Count; i < src.Length; i++) dst[i] = src[i] * factor;
    }

    /// <summary><c>acc += factor * src</c>, vectorised.</summary>
    internal static void AddScaled(ReadOnlySpan<float> src, float factor, Span<float> acc)
    {
        var f = new Vector<float>(factor);
        var s = MemoryMarshal.Cast<float, Vector<float>>(src);
        var a = MemoryMarshal.Cast<float, Vector<float>>(acc);
        for (int i = 0; i < s.Length; i++) a[i] = Vector.FusedMultiplyAdd(s[i], f, a[i]);
        for (int i = s.Length * Vector<float>.Count; i < src.Length; i++) acc[i] = MathF.FusedMultiplyAdd(src[i], factor, acc[i]);
    }
}
