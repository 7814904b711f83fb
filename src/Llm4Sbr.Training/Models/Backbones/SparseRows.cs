using static Llm4Sbr.Training.Models.CpuMemory;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models.Backbones;

/// <summary>A sparse [n, n] matrix in compressed rows (CSR), in managed memory: row i's entries are
/// <see cref="Columns"/> and <see cref="Values"/> from <see cref="Starts"/>[i] to <see cref="Starts"/>[i + 1]
/// (repeated entries are kept, and add up).</summary>
public sealed record SparseRows(int Size, int[] Starts, int[] Columns, float[] Values)
{
    /// <summary>The rows of a 2-D torch tensor (sparse COO or dense), read once.</summary>
    public static SparseRows Of(Tensor matrix)
    {
        using var scope = NewDisposeScope();
        var coo = matrix.is_sparse ? matrix : matrix.to_sparse();
        var indices = coo.SparseIndices.to(ScalarType.Int64).contiguous().data<long>().ToArray();
        var values = coo.SparseValues.to(ScalarType.Float32).contiguous().data<float>().ToArray();
        int entries = values.Length;
        return FromTriplets((int)matrix.shape[0], indices.AsSpan(0, entries), indices.AsSpan(entries, entries), values);
    }

    /// <summary>The transpose, in compressed rows.</summary>
    public SparseRows Transpose()
    {
        var rows = new long[Values.Length];
        var columns = new long[Values.Length];
        for (int i = 0; i < Size; i++)
            for (int k = Starts[i]; k < Starts[i + 1]; k++) { rows[k] = Columns[k]; columns[k] = i; }
        return FromTriplets(Size, rows, columns, Values);
    }

    /// <summary>Compressed rows from (row, column, value) triplets in any order (a stable counting sort
    /// by row: within a row, entries keep their order).</summary>
    private static SparseRows FromTriplets(int size, ReadOnlySpan<long> rows, ReadOnlySpan<long> columns, ReadOnlySpan<float> values)
    {
        var starts = new int[size + 1];
        for (int k = 0; k < rows.Length; k++)
        {
            if ((ulong)rows[k] >= (ulong)size || (ulong)columns[k] >= (ulong)size)
                throw new ArgumentException($"entry {k} at ({rows[k]}, {columns[k]}) is outside a {size} x {size} matrix");
            starts[rows[k] + 1]++;
        }
        for (int i = 0; i < size; i++) starts[i + 1] += starts[i];
        var next = starts[..size];
        var sortedColumns = new int[values.Length];
        var sortedValues = new float[values.Length];
        for (int k = 0; k < values.Length; k++)
        {
            int at = next[rows[k]]++;
            sortedColumns[at] = (int)columns[k];
            sortedValues[at] = values[k];
        }
        return new SparseRows(size, starts, sortedColumns, sortedValues);
    }

    /// <summary>target = <paramref name="initial"/> + this x <paramref name="source"/> for contiguous
    /// float32 CPU tensors of rows of <paramref name="dim"/> floats (<paramref name="initial"/> null = 0),
    /// rows split over <paramref name="threads"/> workers. Each output row stays in L1 while the source
    /// rows it sums are streamed, one vectorised multiply-add per entry.</summary>
    public void Multiply(Tensor source, Tensor target, int dim, Tensor? initial, int threads)
    {
        if (source.numel() != (long)Size * dim || target.numel() != (long)Size * dim || (initial is not null && initial.numel() != (long)Size * dim))
            throw new ArgumentException($"expected [{Size}, {dim}] tensors");
        int workers = Math.Max(1, threads);
        int chunk = Math.Max(64, Size / (4 * workers) + 1);
        int chunks = (Size + chunk - 1) / chunk;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = workers }, c =>
        {
            var x = Floats(source);
            var y = Floats(target);
            var start = initial is null ? default : Floats(initial);
            int end = Math.Min(Size, (c + 1) * chunk);
            for (int i = c * chunk; i < end; i++)
            {
                var output = y.Slice(i * dim, dim);
                if (initial is null) output.Clear(); else start.Slice(i * dim, dim).CopyTo(output);
                MultiplyAddRow(i, ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(output), dim);
            }
        });
    }

    /// <summary>output += row <paramref name="row"/> x source. The output row is taken 64 floats at a time
    /// (then 32), held in eight (four) vector registers while the row's entries add their source slices
    /// into it, and stored once; what is left (H = 100: the last 4 floats) takes the entries one at a time.
    /// <para>Why: adding each entry into the output row in memory made every entry load and store the
    /// whole row again, a chain through memory from one entry to the next; in registers the entries'
    /// source reads are independent, so more of them are in flight at once. Each float still adds its
    /// entries in the same order with the same fused multiply-adds, so the product is bit for bit what it
    /// was (<c>Llm4Sbr.Training.Bench mode=spmm</c> times it).</para>
    /// <para>The reads are unchecked, which is safe because every column was checked against
    /// <see cref="Size"/> when the rows were built and <see cref="Multiply"/> checks the tensors' sizes.</para></summary>
    private void MultiplyAddRow(int row, ref float source, ref float output, int dim)
    {
        int begin = Starts[row], end = Starts[row + 1];
        int d = 0;
        if (Vector256.IsHardwareAccelerated && Vector<float>.Count == Vector256<float>.Count)
        {
            for (; d + 64 <= dim; d += 64) AddBlockOf64(begin, end, ref source, ref Unsafe.Add(ref output, d), dim, d);
            if (d + 32 <= dim) { AddBlockOf32(begin, end, ref source, ref Unsafe.Add(ref output, d), dim, d); d += 32; }
        }
        if (d < dim) AddRemainder(begin, end, ref source, ref output, dim, d);
    }

    private void AddBlockOf64(int begin, int end, ref float source, ref float output, int dim, int offset)
    {
        ref int columns = ref MemoryMarshal.GetArrayDataReference(Columns);
        ref float values = ref MemoryMarshal.GetArrayDataReference(Values);
        var a0 = Vector256.LoadUnsafe(ref output, 0); var a1 = Vector256.LoadUnsafe(ref output, 8);
        var a2 = Vector256.LoadUnsafe(ref output, 16); var a3 = Vector256.LoadUnsafe(ref output, 24);
        var a4 = Vector256.LoadUnsafe(ref output, 32); var a5 = Vector256.LoadUnsafe(ref output, 40);
        var a6 = Vector256.LoadUnsafe(ref output, 48); var a7 = Vector256.LoadUnsafe(ref output, 56);
        for (int k = begin; k < end; k++)
        {
            ref float x = ref Unsafe.Add(ref source, (nint)Unsafe.Add(ref columns, k) * dim + offset);
            var v = Vector256.Create(Unsafe.Add(ref values, k));
            a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, 0), v, a0);
            a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, 8), v, a1);
            a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, 16), v, a2);
            a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, 24), v, a3);
            a4 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, 32), v, a4);
            a5 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, 40), v, a5);
            a6 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, 48), v, a6);
            a7 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, 56), v, a7);
        }
        a0.StoreUnsafe(ref output, 0); a1.StoreUnsafe(ref output, 8); a2.StoreUnsafe(ref output, 16); a3.StoreUnsafe(ref output, 24);
        a4.StoreUnsafe(ref output, 32); a5.StoreUnsafe(ref output, 40); a6.StoreUnsafe(ref output, 48); a7.StoreUnsafe(ref output, 56);
    }

    private void AddBlockOf32(int begin, int end, ref float source, ref float output, int dim, int offset)
    {
        ref int columns = ref MemoryMarshal.GetArrayDataReference(Columns);
        ref float values = ref MemoryMarshal.GetArrayDataReference(Values);
        var a0 = Vector256.LoadUnsafe(ref output, 0); var a1 = Vector256.LoadUnsafe(ref output, 8);
        var a2 = Vector256.LoadUnsafe(ref output, 16); var a3 = Vector256.LoadUnsafe(ref output, 24);
        for (int k = begin; k < end; k++)
        {
            ref float x = ref Unsafe.Add(ref source, (nint)Unsafe.Add(ref columns, k) * dim + offset);
            var v = Vector256.Create(Unsafe.Add(ref values, k));
            a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, 0), v, a0);
            a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, 8), v, a1);
            a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, 16), v, a2);
            a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, 24), v, a3);
        }
        a0.StoreUnsafe(ref output, 0); a1.StoreUnsafe(ref output, 8); a2.StoreUnsafe(ref output, 16); a3.StoreUnsafe(ref output, 24);
    }

    /// <summary>Floats <paramref name="from"/>..dim of the output row, an entry at a time: vectors of
    /// <see cref="Vector{T}"/>, then 4 at once, then one by one.</summary>
    private void AddRemainder(int begin, int end, ref float source, ref float output, int dim, int from)
    {
        ref int columns = ref MemoryMarshal.GetArrayDataReference(Columns);
        ref float values = ref MemoryMarshal.GetArrayDataReference(Values);
        int width = Vector<float>.Count;
        for (int k = begin; k < end; k++)
        {
            ref float x = ref Unsafe.Add(ref source, (nint)Unsafe.Add(ref columns, k) * dim);
            float value = Unsafe.Add(ref values, k);
            var v = new Vector<float>(value);
            int d = from;
            for (; d + width <= dim; d += width)
                Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref x, (nuint)d), v, Vector.LoadUnsafe(ref output, (nuint)d)).StoreUnsafe(ref output, (nuint)d);
            if (d + 4 <= dim)
            {
                (Vector128.LoadUnsafe(ref x, (nuint)d) * value + Vector128.LoadUnsafe(ref output, (nuint)d)).StoreUnsafe(ref output, (nuint)d);
                d += 4;
            }
            for (; d < dim; d++) Unsafe.Add(ref output, d) += value * Unsafe.Add(ref x, d);
        }
    }

}
