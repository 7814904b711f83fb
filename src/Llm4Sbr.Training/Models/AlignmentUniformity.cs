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
        (F.normalize(x, 2, 1) - F.normalize(y, 2, 1)).pow(2).sum(1).mean();

    public static Tensor Uniformity(Tensor x)
    {
        long n = x.shape[0];
        if (n < 2) return zeros([], x.dtype, x.device);
        var xn = F.normalize(x, 2, 1);
        var norms = xn.pow(2).sum(1);
        // |a - b|^2 = |a|^2 + |b|^2 - 2 a.b; exact also for zero rows, which normalize leaves at zero.
        var squared = (norms.unsqueeze(1) + norms.unsqueeze(0) - 2 * xn.mm(xn.t())).clamp_min(0);
        var kernel = exp(-2 * squared);
        var offDiagonal = kernel.sum() - kernel.diagonal().sum();
        return log(offDiagonal / (n * (n - 1)));
    }

    public static Tensor Loss(Tensor session, Tensor view) =>
        Alignment(session, view) + (Uniformity(session) + Uniformity(view)) / 2;
}
