using Llm4Sbr.Training.Models;
using Llm4Sbr.Training.Models.Backbones;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using R = Llm4Sbr.Training.Tests.Models.ReferenceEquivalenceTests;

namespace Llm4Sbr.Training.Tests.Models;

/// <summary>The fused CPU recurrence against torch's own packed GRU: the same last states and the same
/// gradients to the inputs and both weight matrices.</summary>
public class PackedGruTests
{
    [Theory]
    [InlineData(new long[] { 3, 1, 5, 5, 2 })]      // unsorted, ties, a single click
    [InlineData(new long[] { 1, 1, 1 })]            // one step only
    [InlineData(new long[] { 7 })]                  // one row
    public void The_fused_recurrence_equals_torchs_packed_gru_in_value_and_gradient(long[] lengths)
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        const int hidden = 6;
        int length = (int)lengths.Max();
        var inputs = randn(lengths.Length, length, hidden);
        for (int b = 0; b < lengths.Length; b++)                       // padding that must not matter
            inputs[b].narrow(0, lengths[b], length - lengths[b]).Fill(1e3);
        inputs.requires_grad_(true);
        using var gru = nn.GRU(hidden, hidden, numLayers: 1, bias: false, batchFirst: true);
        var inputWeight = gru.get_parameter("weight_ih_l0")!;
        var hiddenWeight = gru.get_parameter("weight_hh_l0")!;
        var weights = randn(lengths.Length, hidden);                  // a loss that weighs every state differently

        var packed = nn.utils.rnn.pack_padded_sequence(inputs, tensor(lengths), batch_first: true, enforce_sorted: false);
        var (_, last) = gru.call(packed, null);
        var expected = last[0];
        var expectedGrads = autograd.grad([(expected * weights).sum()], [inputs, inputWeight, hiddenWeight]);

        var packing = PackedGru.Packing(lengths, length);
        var clicks = inputs.reshape(-1, hidden).index_select(0, tensor(packing.PaddedIndex));
        var fused = PackedGru.LastStates(clicks, packing, inputWeight, hiddenWeight);
        var fusedGrads = autograd.grad([(fused * weights).sum()], [inputs, inputWeight, hiddenWeight]);

        R.AssertClose(expected, fused);
        for (int i = 0; i < 3; i++) R.AssertClose(expectedGrads[i], fusedGrads[i]);
        Assert.Equal(0f, fusedGrads[0][0].narrow(0, lengths[0], length - lengths[0]).abs().sum().item<float>());
    }
}
