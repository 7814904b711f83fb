using static Llm4Sbr.Training.Models.CpuMemory;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

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
    /// rows split over <paramref name="threads"/> workers. Each output row stays in registers while the
    /// source rows it sums are streamed, one vectorised multiply-add per entry.
    /// <para>The rows go to the workers in parts of equal entries, not of equal rows: the hypergraph's rows
    /// differ widely in length (popular items have thousands of entries), and parts of equal rows left one
    /// worker waiting on the other (Beauty, two threads: 11.2 ms a product against 5.0 ms with the
    /// one-pass rows below, <c>Llm4Sbr.Training.Bench mode=spmm</c>).</para></summary>
    /// <param name="sum">If given, [<see cref="Size"/>, dim]: each output row is also added into its row
    /// (sum += target), then, with <paramref name="sumScale"/> other than 1, that row of the sum is scaled,
    /// while the row is in L1: the same float operations as whole-table passes after the product
    /// (DHCN's running mean over layers), without reading the tables again.</param>
    public void Multiply(Tensor source, Tensor target, int dim, Tensor? initial, int threads, Tensor? sum = null, float sumScale = 1f)
    {
        if (source.numel() != (long)Size * dim || target.numel() != (long)Size * dim
            || (initial is not null && initial.numel() != (long)Size * dim) || (sum is not null && sum.numel() != (long)Size * dim))
            throw new ArgumentException($"expected [{Size}, {dim}] tensors");
        int workers = Math.Max(1, threads);
        int parts = workers == 1 ? 1 : 4 * workers;
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = workers }, part =>
        {
            var x = Floats(source);
            var y = Floats(target);
            var start = initial is null ? default : Floats(initial);
            var total = sum is null ? default : Floats(sum);
            int end = FirstRowOfPart(part + 1, parts);
            for (int i = FirstRowOfPart(part, parts); i < end; i++)
            {
                var output = y.Slice(i * dim, dim);
                if (initial is null) output.Clear(); else start.Slice(i * dim, dim).CopyTo(output);
                MultiplyAddRow(i, ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(output), dim);
                if (sum is null) continue;
                var row = total.Slice(i * dim, dim);
                TensorPrimitives.Add(row, output, row);
                if (sumScale != 1f) TensorPrimitives.Multiply(row, sumScale, row);
            }
        });
    }

    /// <summary>The first row of part <paramref name="part"/> of <paramref name="parts"/> of about equal
    /// entries (<see cref="Size"/> for the part after the last): the first row that starts at or after
    /// entry total x part / parts. Each part's end is the next part's start, so every row is in one part.</summary>
    public int FirstRowOfPart(int part, int parts)
    {
        if (part >= parts) return Size;
        long goal = (long)Starts[Size] * part / parts;
        int low = 0, high = Size;                                         // the first i with Starts[i] >= goal
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            if (Starts[middle] < goal) low = middle + 1; else high = middle;
        }
        return low;
    }

    /// <summary>output += row <paramref name="row"/> x source. The output row is taken 96 floats at a time
    /// (then 64, then 32), held in twelve (eight, four) vector registers while the row's entries add their
    /// source slices into it, and stored once; the floats past the last whole vector (H = 100: the last 4)
    /// ride along with the last 96 in a thirteenth register where they fit, else take the entries one at
    /// a time (<see cref="AddRemainder"/>).
    /// <para>Why: adding each entry into the output row in memory made every entry load and store the
    /// whole row again, a chain through memory from one entry to the next; in registers the entries'
    /// source reads are independent, so more of them are in flight at once. One pass over the entries
    /// for H = 100 instead of three (64, 32, then 4 floats) reads each source row once, not in three
    /// pieces. Each float still adds its entries in the same order with the same operations (fused
    /// multiply-adds over whole vectors of 8, a multiply then an add for the rest), so the product is bit
    /// for bit what it always was (the digest in <c>Llm4Sbr.Training.Bench mode=spmm</c>; <c>SparseRowsTests</c>
    /// pins the arithmetic to the bit).</para>
    /// <para>The reads are unchecked, which is safe because every column was checked against
    /// <see cref="Size"/> when the rows were built and <see cref="Multiply"/> checks the tensors' sizes.</para></summary>
    private void MultiplyAddRow(int row, ref float source, ref float output, int dim)
    {
        int begin = Starts[row], end = Starts[row + 1];
        int d = 0;
        if (Vector256.IsHardwareAccelerated && Vector<float>.Count == Vector256<float>.Count)
        {
            int fused = dim - dim % Vector256<float>.Count;                // floats added by fused multiply-adds
            for (; d + 96 <= fused; d += 96)
            {
                bool tail = d + 96 == fused && dim - fused >= 4;
                AddBlockOf96(begin, end, ref source, ref Unsafe.Add(ref output, d), dim, d, tail);
                if (tail) d += 4;
            }
            if (d + 64 <= fused) { AddBlockOf64(begin, end, ref source, ref Unsafe.Add(ref output, d), dim, d); d += 64; }
            if (d + 32 <= fused) { AddBlockOf32(begin, end, ref source, ref Unsafe.Add(ref output, d), dim, d); d += 32; }
        }
        if (d < dim) AddRemainder(begin, end, ref source, ref output, dim, d);
    }

    /// <summary>96 floats in twelve registers; with <paramref name="tail"/> also the 4 after them, in a
    /// thirteenth, added as <see cref="AddRemainder"/> adds them (a multiply, then an add).</summary>
    private void AddBlockOf96(int begin, int end, ref float source, ref float output, int dim, int offset, bool tail)
    {
        ref int columns = ref MemoryMarshal.GetArrayDataReference(Columns);
        ref float values = ref MemoryMarshal.GetArrayDataReference(Values);
        var a0 = Vector256.LoadUnsafe(ref output, 0); var a1 = Vector256.LoadUnsafe(ref output, 8);
        var a2 = Vector256.LoadUnsafe(ref output, 16); var a3 = Vector256.LoadUnsafe(ref output, 24);
        var a4 = Vector256.LoadUnsafe(ref output, 32); var a5 = Vector256.LoadUnsafe(ref output, 40);
        var a6 = Vector256.LoadUnsafe(ref output, 48); var a7 = Vector256.LoadUnsafe(ref output, 56);
        var a8 = Vector256.LoadUnsafe(ref output, 64); var a9 = Vector256.LoadUnsafe(ref output, 72);
        var a10 = Vector256.LoadUnsafe(ref output, 80); var a11 = Vector256.LoadUnsafe(ref output, 88);
        var a12 = tail ? Vector128.LoadUnsafe(ref output, 96) : default;
        for (int k = begin; k < end; k++)
        {
            ref float x = ref Unsafe.Add(ref source, (nint)Unsafe.Add(ref columns, k) * dim + offset);
            float value = Unsafe.Add(ref values, k);
            var v = Vector256.Create(value);
            a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, 0), v, a0);
            a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, 8), v, a1);
            a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, 16), v, a2);
            a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, 24), v, a3);
            a4 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, 32), v, a4);
            a5 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, 40), v, a5);
            a6 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, 48), v, a6);
            a7 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, 56), v, a7);
            a8 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, 64), v, a8);
            a9 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, 72), v, a9);
            a10 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, 80), v, a10);
            a11 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, 88), v, a11);
            if (tail) a12 = Vector128.LoadUnsafe(ref x, 96) * value + a12;
        }
        a0.StoreUnsafe(ref output, 0); a1.StoreUnsafe(ref output, 8); a2.StoreUnsafe(ref output, 16); a3.StoreUnsafe(ref output, 24);
        a4.StoreUnsafe(ref output, 32); a5.StoreUnsafe(ref output, 40); a6.StoreUnsafe(ref output, 48); a7.StoreUnsafe(ref output, 56);
        a8.StoreUnsafe(ref output, 64); a9.StoreUnsafe(ref output, 72); a10.StoreUnsafe(ref output, 80); a11.StoreUnsafe(ref output, 88);
        if (tail) a12.StoreUnsafe(ref output, 96);
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
