using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Llm4Sbr.Core.Localization;

/// <summary>Register-blocked dot products of query rows against one item panel
/// (<see cref="ItemPanels"/>): <c>C[r, j] = sum_d Q[r, d] * P[d, j]</c>.
/// Every lane accumulates <c>c = fma(q[d], p[d], c)</c> for d = 0, 1, ... in order, in both kernels,
/// so a (query, item) similarity is bitwise the same wherever the pair falls in a block: results do
/// not depend on item order or block boundaries.</summary>
internal static class SimilarityKernel
{
    /// <summary>Query rows per main kernel call: 6 rows x 2 vectors = 12 accumulators, plus 2 panel
    /// vectors and a broadcast, fits the 16 SIMD registers of x64.</summary>
    public const int RowsPerKernel = 6;

    /// <summary>Six query rows (<paramref name="query"/>, rows <paramref name="dim"/> apart) against one
    /// panel; writes 6 rows of <c>2 * Vector&lt;float&gt;.Count</c> similarities, <paramref name="cStride"/> apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SixRows(ReadOnlySpan<float> query, int dim, ReadOnlySpan<float> panel, Span<float> c, int cStride)
    {
        int v = Vector<float>.Count;
        int width = 2 * v;
        ref float q0 = ref MemoryMarshal.GetReference(query);
        ref float q1 = ref Unsafe.Add(ref q0, dim);
        ref float q2 = ref Unsafe.Add(ref q1, dim);
        ref float q3 = ref Unsafe.Add(ref q2, dim);
        ref float q4 = ref Unsafe.Add(ref q3, dim);
        ref float q5 = ref Unsafe.Add(ref q4, dim);
        ref float p = ref MemoryMarshal.GetReference(panel);
        Vector<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int d = 0; d < dim; d++)
        {
            var b0 = Vector.LoadUnsafe(ref p);
            var b1 = Vector.LoadUnsafe(ref p, (nuint)v);
            var a = new Vector<float>(Unsafe.Add(ref q0, d));
            c00 = Vector.FusedMultiplyAdd(a, b0, c00); c01 = Vector.FusedMultiplyAdd(a, b1, c01);
            a = new Vector<float>(Unsafe.Add(ref q1, d));
            c10 = Vector.FusedMultiplyAdd(a, b0, c10); c11 = Vector.FusedMultiplyAdd(a, b1, c11);
            a = new Vector<float>(Unsafe.Add(ref q2, d));
            c20 = Vector.FusedMultiplyAdd(a, b0, c20); c21 = Vector.FusedMultiplyAdd(a, b1, c21);
            a = new Vector<float>(Unsafe.Add(ref q3, d));
            c30 = Vector.FusedMultiplyAdd(a, b0, c30); c31 = Vector.FusedMultiplyAdd(a, b1, c31);
            a = new Vector<float>(Unsafe.Add(ref q4, d));
            c40 = Vector.FusedMultiplyAdd(a, b0, c40); c41 = Vector.FusedMultiplyAdd(a, b1, c41);
            a = new Vector<float>(Unsafe.Add(ref q5, d));
            c50 = Vector.FusedMultiplyAdd(a, b0, c50); c51 = Vector.FusedMultiplyAdd(a, b1, c51);
            p = ref Unsafe.Add(ref p, width);
        }
        ref float o = ref MemoryMarshal.GetReference(c);
        c00.StoreUnsafe(ref o); c01.StoreUnsafe(ref o, (nuint)v); o = ref Unsafe.Add(ref o, cStride);
        c10.StoreUnsafe(ref o); c11.StoreUnsafe(ref o, (nuint)v); o = ref Unsafe.Add(ref o, cStride);
        c20.StoreUnsafe(ref o); c21.StoreUnsafe(ref o, (nuint)v); o = ref Unsafe.Add(ref o, cStride);
        c30.StoreUnsafe(ref o); c31.StoreUnsafe(ref o, (nuint)v); o = ref Unsafe.Add(ref o, cStride);
        c40.StoreUnsafe(ref o); c41.StoreUnsafe(ref o, (nuint)v); o = ref Unsafe.Add(ref o, cStride);
        c50.StoreUnsafe(ref o); c51.StoreUnsafe(ref o, (nuint)v);
    }

    /// <summary>One query row against one panel (the rows left over after groups of six).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void OneRow(ReadOnlySpan<float> query, int dim, ReadOnlySpan<float> panel, Span<float> c)
    {
        int v = Vector<float>.Count;
        int width = 2 * v;
        ref float q0 = ref MemoryMarshal.GetReference(query);
        ref float p = ref MemoryMarshal.GetReference(panel);
        Vector<float> c00 = default, c01 = default;
        for (int d = 0; d < dim; d++)
        {
            var a = new Vector<float>(Unsafe.Add(ref q0, d));
            c00 = Vector.FusedMultiplyAdd(a, Vector.LoadUnsafe(ref p), c00);
            c01 = Vector.FusedMultiplyAdd(a, Vector.LoadUnsafe(ref p, (nuint)v), c01);
            p = ref Unsafe.Add(ref p, width);
        }
        ref float o = ref MemoryMarshal.GetReference(c);
        c00.StoreUnsafe(ref o); c01.StoreUnsafe(ref o, (nuint)v);
    }
}
