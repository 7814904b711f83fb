using Llm4Sbr.Training.Models;
using Llm4Sbr.Training.Models.Backbones;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using R = Llm4Sbr.Training.Tests.Models.ReferenceEquivalenceTests;

namespace Llm4Sbr.Training.Tests.Models;

/// <summary>The fused CPU causal attention against the padded torch form: the same outputs and the
/// same gradients to queries, keys and values, with and without a dropout mask.</summary>
public class CausalAttentionTests
{
    static readonly long[] Lengths = [3, 1, 5, 2]; // left-aligned, padded to 5

    static CausalLayout Layout()
    {
        const int length = 5;
        var mask = zeros(Lengths.Length, length);
        var index = new List<long>();
        for (int b = 0; b < Lengths.Length; b++)
            for (long c = length - Lengths[b]; c < length; c++) { mask[b, c] = 1; index.Add(b * length + c); }
        return new CausalLayout(PackedSessions.Of(Lengths), tensor(index.ToArray()), mask, length);
    }

    static (Tensor Q, Tensor K, Tensor V) Leaves(int hidden)
    {
        long clicks = Lengths.Sum();
        return (randn(clicks, hidden).requires_grad_(true), randn(clicks, hidden).requires_grad_(true), randn(clicks, hidden).requires_grad_(true));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void The_cpu_node_equals_the_padded_form_in_value_and_gradient(int heads)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var layout = Layout();
        var (q, k, v) = Leaves(6);
        var weights = randn(q.shape[0], 6);

        var fused = CausalAttention.ApplyCpu(q, k, v, layout, heads, null);
        var fusedGrads = autograd.grad([(fused * weights).sum()], [q, k, v]);
        var padded = CausalAttention.Composite(q, k, v, layout, heads, 0, training: false);
        var paddedGrads = autograd.grad([(padded * weights).sum()], [q, k, v]);

        R.AssertClose(padded, fused);
        for (int i = 0; i < 3; i++) R.AssertClose(paddedGrads[i], fusedGrads[i]);
    }

    /// <summary>With a keep-mask the node weighs pair (i, j) of head h by mask[h, pair]: checked against the
    /// padded form written out with the same mask laid into [B, heads, L, L].</summary>
    [Fact]
    public void A_dropout_mask_scales_the_weights_it_names_in_value_and_gradient()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        const int heads = 2, hidden = 6, length = 5, d = hidden / heads;
        var layout = Layout();
        var (q, k, v) = Leaves(hidden);
        var weights = randn(q.shape[0], hidden);
        var keep = empty(heads * layout.Sessions.Pairs).bernoulli_(0.6).Over(0.6);

        var dense = zeros(Lengths.Length, heads, length, length);
        var keepValues = keep.data<float>().ToArray();
        for (int h = 0; h < heads; h++)
            for (int b = 0; b < Lengths.Length; b++)
            {
                long n = Lengths[b], offset = length - n;
                for (long i = 0; i < n; i++)
                    for (long j = 0; j <= i; j++)
                        dense[b, h, offset + i, offset + j] = keepValues[h * layout.Sessions.Pairs + layout.Sessions.PairStart[b] + i * (i + 1) / 2 + j];
            }
        Tensor Padded(Tensor rows) => zeros(Lengths.Length * length, hidden).index_copy(0, layout.PackedIndex, rows).view(Lengths.Length, length, heads, d).transpose(1, 2);
        var blocked = ones(length, length, dtype: ScalarType.Bool).triu(1).view(1, 1, length, length).logical_or(layout.Mask.EqualTo(0).view(-1, 1, 1, length));
        var logits = Padded(q).matmul(Padded(k).transpose(2, 3)).Over(Math.Sqrt(d)).Filled(blocked, -1e9);
        var expected = (F.softmax(logits, -1) * dense).matmul(Padded(v)).transpose(1, 2).reshape(-1, hidden).index_select(0, layout.PackedIndex);
        var expectedGrads = autograd.grad([(expected * weights).sum()], [q, k, v]);

        var fused = CausalAttention.ApplyCpu(q, k, v, layout, heads, keep);
        var fusedGrads = autograd.grad([(fused * weights).sum()], [q, k, v]);

        R.AssertClose(expected, fused);
        for (int i = 0; i < 3; i++) R.AssertClose(expectedGrads[i], fusedGrads[i]);
    }
}
