using System.Numerics;
using Llm4Sbr.Training.Models.Backbones;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Tests.Models;

/// <summary>DHCN's CPU sparse product (<see cref="SparseRows.Multiply"/>). Its arithmetic is pinned to the
/// bit: every DHCN fit cached so far was computed with it, so a faster kernel must add the same terms in
/// the same order with the same roundings, or bump DHCN's code version.</summary>
public class SparseRowsTests
{
    /// <summary>Each output float: the initial value, then each entry of the row in order, as a fused
    /// multiply-add where the kernel works in whole vectors (the first dim - dim mod 8 floats) and as a
    /// product then a sum in the tail.</summary>
    static float[] Reference(float[,] matrix, float[] source, float[]? initial, int dim)
    {
        int n = matrix.GetLength(0), fused = dim - dim % Vector<float>.Count;
        var output = new float[n * dim];
        for (int i = 0; i < n; i++)
            for (int d = 0; d < dim; d++)
            {
                float acc = initial?[i * dim + d] ?? 0f;
                for (int j = 0; j < n; j++)
                {
                    float value = matrix[i, j], x = source[j * dim + d];
                    if (value == 0) continue;
                    acc = d < fused ? MathF.FusedMultiplyAdd(x, value, acc) : x * value + acc;
                }
                output[i * dim + d] = acc;
            }
        return output;
    }

    [Theory]
    [InlineData(13)]    // one vector, four at once, one alone
    [InlineData(40)]    // a block of 32, one vector
    [InlineData(72)]    // a block of 64, one vector
    [InlineData(98)]    // a block of 96, two alone
    [InlineData(100)]   // DHCN's hidden size: 96 and the four after them in one pass
    [InlineData(128)]   // 96, then 32
    [InlineData(200)]   // 96, 96, one vector
    public void The_product_adds_the_entries_in_row_order_bit_for_bit(int dim)
    {
        using var scope = NewDisposeScope();
        const int n = 23;
        var random = new Random(dim);
        var matrix = new float[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                matrix[i, j] = random.NextDouble() < 0.4 ? (float)random.NextDouble() : 0f;
        for (int j = 0; j < n; j++) matrix[5, j] = 0f;                           // an empty row
        var source = Enumerable.Range(0, n * dim).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var initial = Enumerable.Range(0, n * dim).Select(_ => (float)random.NextDouble()).ToArray();
        var rows = SparseRows.Of(tensor(matrix));
        using var x = tensor(source, [n, dim]);
        using var y = empty(n, dim);
        using var start = tensor(initial, [n, dim]);

        rows.Multiply(x, y, dim, null, threads: 2);
        Assert.Equal(Reference(matrix, source, null, dim), y.data<float>().ToArray());
        rows.Multiply(x, y, dim, start, threads: 1);
        Assert.Equal(Reference(matrix, source, initial, dim), y.data<float>().ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(40)]    // more parts than rows: some parts are empty
    public void The_parts_cover_every_row_once_with_about_equal_entries(int parts)
    {
        // Rows of very different lengths, as the hypergraph's (one row holds half the entries).
        var lengths = new[] { 3, 0, 1, 60, 2, 2, 0, 5, 1, 1, 30, 4, 0, 7, 2, 1 };
        int n = lengths.Length, total = lengths.Sum();
        var starts = new int[n + 1];
        for (int i = 0; i < n; i++) starts[i + 1] = starts[i] + lengths[i];
        var rows = new SparseRows(n, starts, new int[total], new float[total]);

        var firsts = Enumerable.Range(0, parts + 1).Select(p => rows.FirstRowOfPart(p, parts)).ToArray();
        Assert.Equal(0, firsts[0]);
        Assert.Equal(n, firsts[parts]);
        for (int p = 0; p < parts; p++)
        {
            Assert.True(firsts[p] <= firsts[p + 1], $"part {p} runs backwards");
            // A part starts at the first row at or past its share; it holds at most its share plus the
            // row that straddles its end.
            Assert.True(starts[firsts[p]] >= (long)total * p / parts);
            Assert.True(firsts[p] == 0 || starts[firsts[p] - 1] < (long)total * p / parts);
            int entries = starts[firsts[p + 1]] - starts[firsts[p]];
            Assert.True(entries <= total / parts + 1 + lengths.Max(), $"part {p} holds {entries} of {total} entries");
        }
    }
}
