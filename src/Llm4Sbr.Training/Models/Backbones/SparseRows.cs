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

    /// <summary>output += row <paramref name="row"/> x source, one pass over the row's entries: each
    /// entry's source row is read once, whole, and added into the output row (which stays in L1). The
    /// reads are unchecked, which is safe because every column was checked against <see cref="Size"/>
    /// when the rows were built and <see cref="Multiply"/> checks the tensors' sizes.</summary>
    private void MultiplyAddRow(int row, ref float source, ref float output, int dim)
    {
        ref int columns = ref MemoryMarshal.GetArrayDataReference(Columns);
        ref float values = ref MemoryMarshal.GetArrayDataReference(Values);
        int width = Vector<float>.Count;
        for (int k = Starts[row]; k < Starts[row + 1]; k++)
        {
            ref float x = ref Unsafe.Add(ref source, (nint)Unsafe.Add(ref columns, k) * dim);
            float value = Unsafe.Add(ref values, k);
            var v = new Vector<float>(value);
            int d = 0;
            for (; d + width <= dim; d += width)
                Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref x, (nuint)d), v, Vector.LoadUnsafe(ref output, (nuint)d)).StoreUnsafe(ref output, (nuint)d);
            if (d + 4 <= dim)                                   // e.g. H = 100: 12 vectors of 8, then 4 at once
            {
                (Vector128.LoadUnsafe(ref x, (nuint)d) * value + Vector128.LoadUnsafe(ref output, (nuint)d)).StoreUnsafe(ref output, (nuint)d);
                d += 4;
            }
            for (; d < dim; d++) Unsafe.Add(ref output, d) += value * Unsafe.Add(ref x, d);
        }
    }

}
