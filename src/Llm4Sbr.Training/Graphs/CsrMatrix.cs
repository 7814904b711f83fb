using TorchSharp;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Graphs;

/// <summary>A sparse matrix in compressed sparse row form, the layout scipy's <c>csr_matrix</c> uses:
/// the entries of row r are <c>ColumnIndices[RowPointers[r] .. RowPointers[r + 1]]</c> with their
/// <see cref="Values"/>, columns ascending within a row. Arrays are never written after construction.</summary>
public sealed record CsrMatrix(int Rows, int Columns, int[] RowPointers, int[] ColumnIndices, float[] Values)
{
    public int NonZeros => ColumnIndices.Length;

    /// <summary>The entries of row <paramref name="row"/>: (column, value) pairs, columns ascending.</summary>
    public IEnumerable<(int Column, float Value)> Row(int row)
    {
        for (int k = RowPointers[row]; k < RowPointers[row + 1]; k++) yield return (ColumnIndices[k], Values[k]);
    }

    /// <summary>The same matrix as a TorchSharp sparse COO tensor [Rows, Columns] (float32) on
    /// <paramref name="device"/>, for sparse-dense products (DHCN's hypergraph convolution). Its entries are
    /// unique and in row-major order already (TorchSharp 0.107 has no <c>coalesce</c> to mark it so).</summary>
    public Tensor ToSparseCoo(Device? device = null)
    {
        var indices = new long[2 * NonZeros];
        for (int r = 0; r < Rows; r++)
            for (int k = RowPointers[r]; k < RowPointers[r + 1]; k++)
            {
                indices[k] = r;
                indices[NonZeros + k] = ColumnIndices[k];
            }
        using var i = tensor(indices, [2, NonZeros], ScalarType.Int64);
        using var v = tensor(Values, ScalarType.Float32);
        var coo = sparse_coo_tensor(i, v, [Rows, Columns]);
        if (device is null || device.type == DeviceType.CPU) return coo;
        using (coo) return coo.to(device);
    }

    /// <summary>The dense matrix (tests and small checks only).</summary>
    public float[,] ToDense()
    {
        var dense = new float[Rows, Columns];
        for (int r = 0; r < Rows; r++)
            foreach (var (c, v) in Row(r)) dense[r, c] = v;
        return dense;
    }
}
