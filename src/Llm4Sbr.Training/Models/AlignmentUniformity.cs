using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Llm4Sbr.Training.Models;

/// <summary>The alignment and uniformity losses of LLM4SBR (after Wang and Isola 2020), exactly as the
/// LLM4SBR code computes them:
/// alignment(x, y) = mean_i |x̂_i - ŷ_i|^2 with x̂ = x / |x| (F.normalize);
/// uniformity(x) = log mean_{i&lt;j} exp(-2 |x̂_i - x̂_j|^2) over all distinct pairs of the batch
/// (torch.pdist); and per view loss = alignment(session, view) + (uniformity(session) + uniformity(view)) / 2,
/// i.e. uniformity is applied to both sides and averaged.
/// A batch of one has no pairs: its uniformity is 0 here (the reference's pdist would give NaN).</summary>
public static class AlignmentUniformity
{
    public static Tensor Alignment(Tensor x, Tensor y) =>
        (F.normalize(x, 2, 1) - F.normalize(y, 2, 1)).Squared().sum(1).mean();

    public static Tensor Uniformity(Tensor x)
    {
        long n = x.shape[0];
        if (n < 2) return zeros([], x.dtype, x.device);
        var xn = F.normalize(x, 2, 1);
        var norms = xn.Squared().sum(1);
        // |a - b|^2 = |a|^2 + |b|^2 - 2 a.b; exact also for zero rows, which normalize leaves at zero.
        var squared = (norms.unsqueeze(1).Plus(norms.unsqueeze(0)) - xn.mm(xn.t()).Times(2)).AtLeast(0);
        var kernel = exp(squared.Times(-2));
        var offDiagonal = kernel.sum() - kernel.diagonal().sum();
        return log(offDiagonal.Over(n * (n - 1)));
    }

    /// <summary><see cref="Alignment"/> + (<see cref="Uniformity"/>(session) + <see cref="Uniformity"/>(view)) / 2.</summary>
    public static Tensor Loss(Tensor session, Tensor view) => Loss([(session, view)]);

    /// <summary>The sum over (session, view) pairs of <see cref="Loss(Tensor, Tensor)"/>, computed for
    /// all pairs at once: each side normalised once, every uniformity in one batched product. Same
    /// value, a fraction of the operators; that is what a step costs on a GPU, where these [B, B]
    /// products are tiny and every operator is a kernel launch. On the CPU (float32) it is one autograd
    /// node with a hand-derived backward (<see cref="AlignmentUniformityCpu"/>). All tensors are [B, H].</summary>
    public static Tensor Loss(IReadOnlyList<(Tensor Session, Tensor View)> pairs)
    {
        var x = stack(pairs.Select(p => p.Session).ToArray());                      // [P, B, H]
        var y = stack(pairs.Select(p => p.View).ToArray());
        return AlignmentUniformityCpu.Handles(x, y) ? AlignmentUniformityCpu.apply(x, y) : Composite(x, y);
    }

    /// <summary>The same loss as torch operators (differentiated by autograd): the form on GPUs, and
    /// the reference the CPU node is tested against. <paramref name="x"/>, <paramref name="y"/>: [P, B, H].</summary>
    public static Tensor Composite(Tensor x, Tensor y)
    {
        x = F.normalize(x, 2.0, 2L);
        y = F.normalize(y, 2.0, 2L);
        var alignment = (x - y).Squared().sum(2).mean([1L]);                         // [P]
        long n = x.shape[1], pairs = x.shape[0];
        if (n < 2) return alignment.sum();
        var both = cat([x, y]);                                                      // [2P, B, H]
        var norms = both.Squared().sum(2);                                            // [2P, B]
        var squared = (norms.unsqueeze(2).Plus(norms.unsqueeze(1)) - both.bmm(both.transpose(1, 2)).Times(2)).AtLeast(0);
        var kernel = exp(squared.Times(-2));                                         // [2P, B, B]
        var offDiagonal = kernel.sum([1, 2]) - kernel.diagonal(0, 1, 2).sum(1);      // [2P]
        var uniformity = log(offDiagonal.Over(n * (n - 1))).view(2L, pairs).mean([0L]); // [P]: (u(session) + u(view)) / 2
        return alignment.Plus(uniformity).sum();
    }
}
