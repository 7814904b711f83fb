using Llm4Sbr.Training.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Tests.Models;

public class DropoutMaskTests
{
    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void A_mask_keeps_about_one_minus_p_and_scales_the_kept_by_its_inverse(double p)
    {
        using var scope = NewDisposeScope();
        manual_seed(9);
        var mask = DropoutMask.Draw([200_001], p);   // odd: the last element takes a draw of its own
        var values = mask.data<float>().ToArray();
        float kept = (float)(1 / (1 - p));
        Assert.All(values, v => Assert.True(v == 0f || v == kept, $"{v} is neither 0 nor {kept}"));
        double keptShare = values.Count(v => v != 0) / (double)values.Length;
        // 200,001 Bernoulli draws: the standard deviation of the share is below 0.0012.
        Assert.InRange(keptShare, 1 - p - 0.006, 1 - p + 0.006);
    }

    [Fact]
    public void Masks_repeat_under_the_same_torch_seed_and_differ_between_draws()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var first = DropoutMask.Draw([1000], 0.5);
        var second = DropoutMask.Draw([1000], 0.5);
        manual_seed(3);
        var again = DropoutMask.Draw([1000], 0.5);
        Assert.True(first.eq(again).all().item<bool>());
        Assert.False(first.eq(second).all().item<bool>());
    }

    [Fact]
    public void Fast_dropout_is_the_identity_in_evaluation_and_masks_in_training()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        using var dropout = new FastDropout(0.5);
        var x = ones(50, 40).requires_grad_(true);
        dropout.eval();
        Assert.True(dropout.forward(x).eq(x).all().item<bool>());
        dropout.train();
        var y = dropout.forward(x);
        var grad = autograd.grad([y.sum()], [x])[0];
        Assert.True(y.eq(grad).all().item<bool>());                  // d(x * m)/dx = m, and y = m for x = 1
        Assert.True(y.EqualTo(0).any().item<bool>() && y.EqualTo(2).any().item<bool>());
    }
}
