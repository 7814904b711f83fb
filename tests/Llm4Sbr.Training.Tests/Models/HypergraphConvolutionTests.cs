using Llm4Sbr.Training.Models;
using Llm4Sbr.Training.Models.Backbones;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Llm4Sbr.Training.Tests.Models;

/// <summary>DHCN's CPU convolution node (<see cref="HypergraphConvolution.Apply"/>) is pinned to the bit to
/// its plain form, a product per layer and whole-table passes: the sums are fused into the products and
/// the buffers reused, and every cached DHCN fit was computed with the plain form.</summary>
public class HypergraphConvolutionTests
{
    /// <summary>Forward: sum = X; X_l = A X_(l-1), sum += X_l per layer; sum *= 1 / (L + 1). Backward:
    /// G = dOut / (L + 1), dY = G, then L times dY = G + A^T dY.</summary>
    static (float[] Output, float[] Gradient) Plain(SparseRows rows, Tensor table, Tensor gradOutput, int layers)
    {
        int dim = (int)table.shape[1];
        var transposed = rows.Transpose();
        using var sum = table.detach().clone();
        var current = table.detach().clone();
        for (int l = 0; l < layers; l++)
        {
            var next = empty_like(current);
            rows.Multiply(current, next, dim, null, threads: 1);
            TensorPrimitives.Add(Floats(sum), Floats(next), Floats(sum));
            current = next;
        }
        TensorPrimitives.Multiply(Floats(sum), 1f / (layers + 1), Floats(sum));
        using var g = gradOutput.Over(layers + 1).contiguous();
        var dy = g.clone();
        for (int l = 0; l < layers; l++)
        {
            var next = empty_like(g);
            transposed.Multiply(dy, next, dim, g, threads: 1);
            dy = next;
        }
        return (sum.data<float>().ToArray(), dy.data<float>().ToArray());
    }

    static Span<float> Floats(Tensor t) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.bytes);

    [Theory]
    [InlineData(0, 13)]
    [InlineData(1, 13)]
    [InlineData(2, 100)]
    [InlineData(3, 13)]
    [InlineData(3, 100)]   // DHCN's default layers and hidden size
    [InlineData(4, 100)]
    public void The_node_computes_the_plain_forms_bits_in_value_and_gradient(int layers, int dim)
    {
        using var scope = NewDisposeScope();
        const int n = 23;
        var random = new Random(layers * 1000 + dim);
        var matrix = new float[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                matrix[i, j] = random.NextDouble() < 0.3 ? (float)random.NextDouble() : 0f;
        for (int j = 0; j < n; j++) matrix[7, j] = 0f;                           // an empty row
        var dense = tensor(matrix);
        var rows = SparseRows.Of(dense);
        using var generator = new Generator((ulong)(layers + dim));
        var table = randn([n, dim], generator: generator).requires_grad_();
        var gradOutput = randn([n, dim], generator: generator);

        var output = HypergraphConvolution.Apply(table, dense.to_sparse(), rows, rows.Transpose(), layers);
        output.backward([gradOutput]);

        var (plainOutput, plainGradient) = Plain(rows, table, gradOutput, layers);
        Assert.Equal(plainOutput, output.detach().data<float>().ToArray());
        Assert.Equal(plainGradient, table.grad!.data<float>().ToArray());
    }
}
